namespace Orchestrator.IntegrationTests.EndToEnd;

/// <summary>How a <see cref="JobdFakeAgent"/> answers.</summary>
public enum JobdFakeAgentMode
{
    /// <summary>Accepts every payload and answers <c>/retrieve</c> with a completed zip at once.</summary>
    Completes,

    /// <summary>Answers <c>/submit</c> with JSON that has no payload id.</summary>
    SubmitWithoutId,

    /// <summary>Accepts payloads, then answers <c>/retrieve</c> with an HTML page.</summary>
    RetrievesGarbage,
}
