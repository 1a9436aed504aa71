namespace Orchestrator.Api.Endpoints.V1;

public sealed record V1CallbackView(string Url, IReadOnlyList<string> Events);
