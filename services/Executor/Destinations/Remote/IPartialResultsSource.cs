using Orchestrator.Executor.Runs;

namespace Orchestrator.Executor.Destinations.Remote;

/// <summary>A destination that can copy a run's files as they are now into the job's directory, while it runs
/// (for <c>GET /download_partial/{id}</c>).</summary>
public interface IPartialResultsSource
{
    Task FetchPartialResultsAsync(RunRecord run, CancellationToken cancellationToken);
}
