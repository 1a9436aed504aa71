using MassTransit;
using Microsoft.Extensions.Options;
using Orchestrator.Contracts;
using Orchestrator.Platform.Configuration;

namespace Orchestrator.Api.Jobs;

/// <summary>
/// Brings a job's directory up to date before <c>GET /download_partial/{id}</c> zips it: for a job on a remote
/// destination the executor running it copies the files from there (a request over the bus); a local job's
/// directory is already the live one, and a finished job's results were fetched when it ended.
/// </summary>
public sealed class PartialResults(
    IRequestClient<RefreshJobDirectory> refresh,
    IOptions<OrchestratorOptions> orchestrator,
    IOptions<ApiOptions> options,
    ILogger<PartialResults> logger)
{
    /// <summary>Null when the directory is up to date; otherwise the problem to answer.</summary>
    public async Task<IResult?> RefreshAsync(JobRecord job, CancellationToken cancellationToken)
    {
        if (JobStates.IsFinal(job.State) || job.Destination is null
            || !orchestrator.Value.Destinations.TryGetValue(job.Destination, out var destination) || destination.Kind == "local")
            return null;
        try
        {
            var response = await refresh.GetResponse<JobDirectoryRefreshed>(new RefreshJobDirectory(job.JobId), cancellationToken,
                RequestTimeout.After(ms: (int)options.Value.PartialResultsTimeout.TotalMilliseconds));
            if (response.Message.Refreshed)
                return null;
            if (response.Message.NotAtDestination)
                return TypedResults.Problem($"Job {job.Number} has not been sent to a destination yet.",
                    statusCode: StatusCodes.Status404NotFound, title: "Not dispatched");
            return TypedResults.Problem($"Destination {job.Destination} could not provide job {job.Number}'s files: {response.Message.Error}",
                statusCode: StatusCodes.Status502BadGateway, title: "Partial results unavailable");
        }
        catch (RequestTimeoutException) when (job.State == JobStates.Dispatched)
        {
            // Dispatched but not yet taken by an executor: nobody holds the run to answer for it.
            return TypedResults.Problem($"Job {job.Number} has not reached its destination yet.",
                statusCode: StatusCodes.Status404NotFound, title: "Not dispatched");
        }
        catch (RequestTimeoutException)
        {
            logger.LogWarning("No executor answered for the partial results of job {JobNumber}", job.Number);
            return TypedResults.Problem($"No executor of destination {job.Destination} answered within {options.Value.PartialResultsTimeout:g}.",
                statusCode: StatusCodes.Status504GatewayTimeout, title: "Destination did not answer");
        }
    }
}
