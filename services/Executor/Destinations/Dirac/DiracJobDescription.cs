namespace Orchestrator.Executor.Destinations.Dirac;

/// <summary>What one run asks of DIRAC, before it is written as JDL.</summary>
public sealed record DiracJobDescription(
    string JobName,
    string InputSandboxPfn,
    IReadOnlyList<string> OutputSandbox,
    int? CpuTimeSeconds,
    int Processors,
    IReadOnlyDictionary<string, string> Environment,
    string? Site,
    string? JobGroup);
