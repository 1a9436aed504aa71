namespace Orchestrator.IntegrationTests.Platform.Support;

/// <summary>
/// A row a consumer inserts with a fresh id each time it runs, so a second application of one message shows up as a
/// second row rather than being hidden by an upsert.
/// </summary>
public sealed class TestRecord
{
    public Guid Id { get; set; }

    public required string Key { get; set; }

    public string? Value { get; set; }
}
