namespace Orchestrator.IntegrationTests.EndToEnd;

public sealed record RunEvent(bool IsStart, int UserId, string JobId, long Nanoseconds);
