namespace Orchestrator.Api.Endpoints.V1;

public sealed record V1JobLinks(string Self, string Result, string Files);
