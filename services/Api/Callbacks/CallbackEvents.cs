using Orchestrator.Contracts;

namespace Orchestrator.Api.Callbacks;

/// <summary>The events a job's callback can ask for, and the job states that raise them.</summary>
public static class CallbackEvents
{
    public const string Start = "start";
    public const string Exit = "exit";
    public const string Cleaned = "cleaned";

    public static readonly IReadOnlyList<string> All = [Start, Exit, Cleaned];

    /// <summary>The CloudEvents <c>type</c> of each event.</summary>
    public static string TypeOf(string name) => $"org.orchestrator.job.{name}";

    /// <summary>The event a state change raises, if any: every run that starts, and the job's end and clean-up.</summary>
    public static string? For(string state) => state switch
    {
        JobStates.Running => Start,
        JobStates.Completed or JobStates.Failed or JobStates.Cancelled or JobStates.TimedOut => Exit,
        JobStates.Cleaned => Cleaned,
        _ => null,
    };
}
