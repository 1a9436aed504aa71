namespace Orchestrator.Api.OpenApi;

/// <summary>What the OpenAPI document says about one endpoint beyond what its handler's signature shows.</summary>
public sealed record DocumentedOperation(
    string Tag,
    string Description,
    IReadOnlyList<DocumentedResponse> Responses,
    Type? JsonBody = null,
    bool MultipartUpload = false);
