namespace Orchestrator.IntegrationTests.EndToEnd;

/// <summary>
/// The end-to-end classes that start whole systems or kill services run one after another: on a small machine,
/// several systems at once would turn a test's own timing (a job still running when its executor is killed) into
/// chance.
/// </summary>
[CollectionDefinition(Name)]
public sealed class EndToEndCollection
{
    public const string Name = "End-to-end systems";
}
