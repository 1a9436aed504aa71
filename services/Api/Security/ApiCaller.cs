using System.Globalization;
using System.Reflection;
using System.Security.Claims;
using Orchestrator.Api.Jobs;

namespace Orchestrator.Api.Security;

/// <summary>
/// Who is asking, as far as jobs are concerned: which jobs it may see and which user it may submit for. Handlers take
/// it as a parameter; it is read from the authenticated principal.
/// </summary>
public sealed record ApiCaller(string Name, string Role, int? UserId, long? KeyId)
{
    /// <summary>The owner of jobs submitted on the bus, whose senders the broker's credentials already vouch for.</summary>
    public static readonly ApiCaller Bus = new("bus", ApiRoles.Admin, null, null);

    /// <summary>A request from loopback while no key exists: the single-machine set-up, with every right.</summary>
    public static readonly ApiCaller AnonymousLoopback = new("anonymous", ApiRoles.Admin, null, null);

    public bool IsAdmin => Role == ApiRoles.Admin;

    /// <summary>Bound by minimal APIs from the request's principal.</summary>
    public static ValueTask<ApiCaller?> BindAsync(HttpContext context, ParameterInfo parameter) =>
        ValueTask.FromResult<ApiCaller?>(From(context.User));

    public static ApiCaller From(ClaimsPrincipal principal)
    {
        var role = principal.FindFirstValue(ClaimTypes.Role);
        if (principal.Identity?.IsAuthenticated != true || role is null)
            throw new InvalidOperationException("The request reached a job endpoint without an authenticated caller.");
        var user = principal.FindFirstValue(ApiClaims.UserId);
        var key = principal.FindFirstValue(ApiClaims.KeyId);
        return new ApiCaller(
            principal.FindFirstValue(ClaimTypes.Name) ?? "anonymous",
            role,
            user is null ? null : int.Parse(user, CultureInfo.InvariantCulture),
            key is null ? null : long.Parse(key, CultureInfo.InvariantCulture));
    }

    /// <summary>The jobs this caller may see: all for admins, a portal's own submissions, a user's own jobs.</summary>
    public IQueryable<JobRecord> Scope(IQueryable<JobRecord> jobs) => Role switch
    {
        ApiRoles.Admin => jobs,
        ApiRoles.User => jobs.Where(j => j.UserId == UserId),
        _ => jobs.Where(j => j.Owner == Name),
    };

    public bool CanSee(JobRecord job) => Role switch
    {
        ApiRoles.Admin => true,
        ApiRoles.User => job.UserId == UserId,
        _ => job.Owner == Name,
    };

    /// <summary>
    /// The user a submission is for: a user key submits for its own user, whether the request names it or not; a
    /// request naming another user is refused.
    /// </summary>
    public int? UserFor(int? requested)
    {
        if (Role != ApiRoles.User)
            return requested;
        if (requested is { } other && other != UserId)
            throw new UploadRejectedException(StatusCodes.Status403Forbidden, "Wrong user",
                $"This key submits for user {UserId} only, not for user {other}.");
        return UserId;
    }
}
