using System.Text.Json.Serialization;

namespace Orchestrator.Api.Endpoints;

/// <summary>The body of <c>200</c> from <c>POST /terminate/{id}</c>, as the WeNMR orchestrator answers.</summary>
public sealed record TerminateResponse([property: JsonPropertyName("message")] string Message);
