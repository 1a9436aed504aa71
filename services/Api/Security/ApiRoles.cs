namespace Orchestrator.Api.Security;

/// <summary>What an API key may do.</summary>
public static class ApiRoles
{
    /// <summary>A web portal submitting on behalf of its users: may set any user id, sees the jobs it submitted.</summary>
    public const string Portal = "portal";

    /// <summary>Bound to one user id: submits as that user only, sees and cancels only that user's jobs.</summary>
    public const string User = "user";

    /// <summary>Everything, plus the admin endpoints.</summary>
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Portal, User, Admin];
}
