using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Api.Jobs;

namespace Orchestrator.Api.Security;

/// <summary><c>/admin/keys</c>: API key management for admin keys.</summary>
public static class AdminKeyEndpoints
{
    public static IEndpointRouteBuilder MapAdminKeyEndpoints(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/admin/keys").RequireAuthorization(ApiSecurityRegistration.AdminPolicy);
        keys.MapGet("", ListAsync).WithName("AdminListKeys")
            .WithSummary("Every API key, revoked ones included, without secrets.");
        keys.MapPost("", CreateAsync).DisableAntiforgery().WithName("AdminCreateKey")
            .WithSummary("Create a key {name, role: portal|user|admin, userId for user keys}; the answer holds the key, shown once.");
        keys.MapDelete("/{id}", RevokeAsync).WithName("AdminRevokeKey")
            .WithSummary("Revoke a key: refused at once by this instance, within Api:KeyCacheDuration (1 s) by other instances.");
        return app;
    }

    static async Task<Ok<List<ApiKeyView>>> ListAsync(ApiKeyStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok((await store.ListAsync(cancellationToken)).Select(ApiKeyView.From).ToList());

    static async Task<Results<Created<CreatedApiKey>, ProblemHttpResult>> CreateAsync(
        CreateApiKeyRequest request, ApiKeyStore store, CancellationToken cancellationToken)
    {
        try
        {
            var (record, key) = await store.CreateAsync(request.Name, request.Role, request.UserId, cancellationToken);
            return TypedResults.Created($"/admin/keys/{record.Id}", new CreatedApiKey(key, ApiKeyView.From(record)));
        }
        catch (UploadRejectedException ex)
        {
            return TypedResults.Problem(ex.Message, statusCode: ex.StatusCode, title: ex.Title);
        }
    }

    static async Task<Results<Ok<ApiKeyView>, ProblemHttpResult>> RevokeAsync(string id, ApiKeyStore store, CancellationToken cancellationToken)
    {
        var record = long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? await store.RevokeAsync(number, cancellationToken)
            : null;
        return record is null
            ? TypedResults.Problem($"There is no key {id}.", statusCode: StatusCodes.Status404NotFound, title: "Unknown key")
            : TypedResults.Ok(ApiKeyView.From(record));
    }
}
