using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orchestrator.Api.Persistence;

namespace Orchestrator.Api.Security;

/// <summary>API key authentication and the policies the endpoints require.</summary>
public static class ApiSecurityRegistration
{
    /// <summary>Any caller with a valid key (or anonymous on loopback until a key is created); jobs are then scoped per caller.</summary>
    public const string JobsPolicy = "jobs";

    /// <summary>Admin keys only: key management, destinations, workers.</summary>
    public const string AdminPolicy = "admin";

    public static WebApplicationBuilder AddApiSecurity(this WebApplicationBuilder builder)
    {
        builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(JobsPolicy, policy => policy.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName).RequireAuthenticatedUser())
            .AddPolicy(AdminPolicy, policy => policy.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName).RequireAuthenticatedUser().RequireRole(ApiRoles.Admin));
        builder.Services.AddScoped<ApiKeyStore>();
        builder.Services.AddSingleton<ApiKeyCache>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        return builder;
    }

    /// <summary>
    /// Says at start, loudly, when the API is open to anonymous loopback requests because no key was ever created,
    /// and when every key is revoked, which leaves it open to no one.
    /// </summary>
    public static async Task WarnWhenNoApiKeysAsync(this IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApiDbContext>();
        var logger = scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("Orchestrator.Api.Security");
        if (!await db.ApiKeys.AnyAsync())
        {
            logger.LogWarning(
                "No API keys are configured: the API accepts anonymous requests from loopback only (127.0.0.1, ::1), with admin rights, " +
                "and refuses every other client with 401. Create a key with 'dotnet Orchestrator.Api.dll keys create --role admin --name NAME' " +
                "(or './orchestrator keys create ...') to require keys from everyone.");
        }
        else if (!await db.ApiKeys.AnyAsync(k => k.RevokedAt == null))
        {
            logger.LogWarning(
                "Every API key is revoked: the API refuses every request, loopback included, until a key is created with " +
                "'dotnet Orchestrator.Api.dll keys create --role admin --name NAME' (or './orchestrator keys create ...').");
        }
    }
}
