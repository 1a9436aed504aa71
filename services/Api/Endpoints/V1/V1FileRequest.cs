namespace Orchestrator.Api.Endpoints.V1;

/// <summary>One file of a v1 job: <see cref="Content"/> inline (<see cref="Encoding"/> <c>text</c> or <c>base64</c>), or a <see cref="Url"/> to fetch.</summary>
public sealed record V1FileRequest(string? Path, string? Content, string? Encoding, string? Url);
