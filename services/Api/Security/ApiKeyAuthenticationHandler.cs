using System.Globalization;
using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Orchestrator.Api.Persistence;

namespace Orchestrator.Api.Security;

/// <summary>
/// Authenticates <c>Authorization: Bearer {key}</c> against the stored key hashes. Without a header, a request is
/// anonymous; until the first key is created, an anonymous request from loopback is let in with every right, so a
/// single-machine set-up works before anyone creates a key. Keys are read through <see cref="ApiKeyCache"/>.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    IProblemDetailsService problems,
    ApiKeyCache keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "ApiKey";
    const string FailureItem = "orchestrator:auth_failure";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // The only scheme is also the default one, which the authentication middleware runs for every request: open
        // endpoints (health, metrics, the API document) must answer without a key lookup in PostgreSQL.
        if (Context.GetEndpoint()?.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAuthorizeData>() is null)
            return AuthenticateResult.NoResult();
        var db = Context.RequestServices.GetRequiredService<ApiDbContext>();
        string header = Request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header))
        {
            // The read may be shared with concurrent requests, so it must not end with this one.
            if (IsLoopback(Context.Connection.RemoteIpAddress) && !await keys.AnyKeyCreatedAsync(() => db.ApiKeys.AnyAsync(CancellationToken.None)))
                return Success(ApiCaller.AnonymousLoopback);
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return Fail("Send the key as 'Authorization: Bearer {key}'.");
        var key = header["Bearer ".Length..].Trim();
        if (ApiKeySecret.PrefixOf(key) is not { } prefix)
            return Fail("The API key is malformed, unknown or revoked.");
        var row = await keys.FindAsync(prefix,
            () => db.ApiKeys.AsNoTracking().SingleOrDefaultAsync(k => k.Prefix == prefix, Context.RequestAborted));
        if (row is null || row.RevokedAt is not null || !ApiKeySecret.Matches(key, row.Hash))
            return Fail("The API key is malformed, unknown or revoked.");
        return Success(new ApiCaller(row.Name, row.Role, row.UserId, row.Id));
    }

    AuthenticateResult Success(ApiCaller caller)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, caller.Name), new(ClaimTypes.Role, caller.Role) };
        if (caller.UserId is { } user)
            claims.Add(new Claim(ApiClaims.UserId, user.ToString(CultureInfo.InvariantCulture)));
        if (caller.KeyId is { } id)
            claims.Add(new Claim(ApiClaims.KeyId, id.ToString(CultureInfo.InvariantCulture)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName, ClaimTypes.Name, ClaimTypes.Role));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    AuthenticateResult Fail(string why)
    {
        Context.Items[FailureItem] = why;
        return AuthenticateResult.Fail(why);
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
        var detail = Context.Items[FailureItem] as string
            ?? "This endpoint needs an API key: 'Authorization: Bearer {key}'. Anonymous requests are accepted only from loopback, and only until the first key is created.";
        await WriteProblemAsync(StatusCodes.Status401Unauthorized, "Unauthorized", detail);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteProblemAsync(StatusCodes.Status403Forbidden, "Forbidden", "This key's role may not use this endpoint.");

    async Task WriteProblemAsync(int status, string title, string detail)
    {
        Response.StatusCode = status;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }

    static bool IsLoopback(IPAddress? address) =>
        address is not null && (IPAddress.IsLoopback(address) || (address.IsIPv4MappedToIPv6 && IPAddress.IsLoopback(address.MapToIPv4())));
}
