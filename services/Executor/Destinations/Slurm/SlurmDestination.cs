using Microsoft.Extensions.Options;
using Orchestrator.Executor.Destinations.Remote;
using Orchestrator.Executor.Runs;
using Orchestrator.Platform.Configuration;

namespace Orchestrator.Executor.Destinations.Slurm;

/// <summary>
/// The <c>slurm</c> destination: <c>sbatch</c> of a script around the job's <c>run.sh</c>, followed with
/// <c>squeue</c> while slurmctld holds the job and <c>sacct</c> once it ended, stopped with <c>scancel</c>. The job
/// directory is shared with the compute nodes, so the results are already where the Api zips them from.
/// </summary>
public sealed class SlurmDestination(
    SlurmCommandLine slurm,
    IOptions<SlurmOptions> options,
    IOptionsMonitor<OrchestratorOptions> orchestrator,
    TimeProvider clock,
    ILogger<SlurmDestination> logger) : IRemoteDestination
{
    /// <summary>When each job was first seen unknown to slurmctld but unfinished in accounting, by Slurm job id.</summary>
    readonly System.Collections.Concurrent.ConcurrentDictionary<string, DateTimeOffset> _vanishing = new();

    public async Task<string> SubmitAsync(RunRecord run, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(run.Directory))
            throw new DirectoryNotFoundException($"The job's directory {run.Directory} does not exist on this executor.");
        if (!File.Exists(Path.Combine(run.Directory, "run.sh")))
            throw new FileNotFoundException($"The job's directory {run.Directory} has no run.sh.");

        var resources = orchestrator.CurrentValue.Services.TryGetValue(run.Service, out var service)
            ? service.Resources
            : new ResourceOptions();
        var script = SlurmJobScript.Render(run, resources, options.Value);
        var result = await slurm.RunAsync(o => o.Sbatch, ["--parsable"], script, cancellationToken);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"sbatch refused the job: {result.Message}");

        try
        {
            var id = SlurmOutput.ParseSubmittedJobId(result.StandardOutput);
            logger.LogInformation("Job {JobId} attempt {Attempt} submitted to Slurm as job {SlurmJobId}", run.JobId, run.Attempt, id);
            return id;
        }
        catch (SlurmOutputException)
        {
            // sbatch succeeded, so a Slurm job may exist that nobody would follow: cancel it by name before the
            // attempt is reported not started and perhaps retried.
            await CancelByNameAsync(run);
            throw;
        }
    }

    public async Task<RemoteRunStatus> GetStatusAsync(RunRecord run, CancellationToken cancellationToken)
    {
        var jobId = ExternalId(run);
        try
        {
            var queue = await slurm.RunAsync(o => o.Squeue, SlurmOutput.QueueArguments(jobId), null, cancellationToken);
            // squeue fails with "Invalid job id" once slurmctld forgot the job; sacct then knows how it ended.
            var entry = queue.ExitCode == 0 ? SlurmOutput.ParseQueue(queue.StandardOutput, jobId) : null;
            if (entry is not null && SlurmStates.IsActive(entry.State))
                return SlurmStates.FromQueue(jobId, entry);

            var accounting = await slurm.RunAsync(o => o.Sacct, SlurmOutput.AccountingArguments(jobId), null, cancellationToken);
            if (accounting.ExitCode != 0)
                throw new DestinationUnavailableException($"sacct could not report Slurm job {jobId}: {accounting.Message}");
            var record = SlurmOutput.ParseAccounting(accounting.StandardOutput, jobId)
                ?? throw new DestinationUnavailableException(
                    $"Slurm job {jobId} is neither queued (squeue: {(queue.ExitCode == 0 ? "not listed" : queue.Message)}) nor recorded by sacct yet");
            var status = SlurmStates.FromAccounting(jobId, record);
            if (!status.IsFinal && queue.ExitCode != 0 && queue.Message.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase))
                return Vanished(jobId, record);
            _vanishing.TryRemove(jobId, out _);
            return status;
        }
        catch (SlurmOutputException ex)
        {
            // An unreadable answer is not the job's end: keep asking (and let the saga's deadline be the last word).
            throw new DestinationUnavailableException($"Slurm answered unreadably about job {jobId}: {ex.Message}");
        }
    }

    /// <summary>
    /// slurmctld does not know the job, yet accounting never saw it end: slurmctld lost it (a crash before it saved
    /// its state). Accounting may trail for a moment, so only a job still in that state after the grace is failed.
    /// </summary>
    RemoteRunStatus Vanished(string jobId, SlurmAccountingRecord record)
    {
        var since = _vanishing.GetOrAdd(jobId, clock.GetUtcNow());
        var message = $"Slurm job {jobId} vanished: slurmctld no longer knows it, and accounting last recorded it {record.State}";
        if (clock.GetUtcNow() - since < options.Value.VanishedGrace)
            throw new DestinationUnavailableException(message);
        _vanishing.TryRemove(jobId, out _);
        return new RemoteRunStatus(RemoteRunState.Failed, null, message);
    }

    public Task FetchResultsAsync(RunRecord run, CancellationToken cancellationToken)
    {
        // The job wrote into its own directory on the shared file system; there is nothing to copy.
        if (!Directory.Exists(run.Directory))
            throw new DirectoryNotFoundException($"The job's directory {run.Directory} is not visible on this executor; the slurm destination needs it on a shared file system.");
        return Task.CompletedTask;
    }

    public async Task CancelAsync(RunRecord run, CancellationToken cancellationToken)
    {
        var jobId = ExternalId(run);
        var result = await slurm.RunAsync(o => o.Scancel, [jobId], null, cancellationToken);
        // A job that already ended cannot be cancelled, and needs not be.
        if (result.ExitCode != 0 && !result.Message.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase)
            && !result.Message.Contains("already completing or completed", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"scancel {jobId} failed: {result.Message}");
        logger.LogInformation("Cancelled Slurm job {SlurmJobId} of job {JobId} attempt {Attempt}", jobId, run.JobId, run.Attempt);
    }

    /// <summary>The Slurm job of the run's name, pending or running (squeue) or ended (sacct), if sbatch made one.</summary>
    public async Task<string?> FindSubmittedAsync(RunRecord run, CancellationToken cancellationToken)
    {
        var name = SlurmJobScript.JobName(options.Value, run);
        var queue = await slurm.RunAsync(o => o.Squeue, ["--noheader", $"--name={name}", "--format=%i"], null, cancellationToken);
        if (queue.ExitCode == 0 && SlurmOutput.ParseJobIds(queue.StandardOutput).FirstOrDefault() is { } queued)
            return queued;

        // The name holds the job's id and attempt, so the search needs no tight time window; a day before
        // acceptance covers any time zone difference of the cluster.
        var accepted = run.AcceptedAt.UtcDateTime;
        var since = (accepted > DateTime.UnixEpoch.AddDays(1) ? accepted.AddDays(-1) : DateTime.UnixEpoch).ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        var accounting = await slurm.RunAsync(o => o.Sacct,
            ["--noheader", "--parsable2", "--allocations", $"--name={name}", $"--starttime={since}", "--format=JobID"], null, cancellationToken);
        if (accounting.ExitCode != 0)
            throw new DestinationUnavailableException($"sacct could not look up Slurm jobs named {name}: {accounting.Message}");
        return SlurmOutput.ParseJobIds(accounting.StandardOutput).FirstOrDefault();
    }

    async Task CancelByNameAsync(RunRecord run)
    {
        try
        {
            await slurm.RunAsync(o => o.Scancel, [$"--name={SlurmJobScript.JobName(options.Value, run)}"], null, CancellationToken.None);
        }
        catch (DestinationUnavailableException ex)
        {
            logger.LogWarning("Could not cancel a possibly submitted Slurm job of job {JobId}: {Reason}", run.JobId, ex.Message);
        }
    }

    static string ExternalId(RunRecord run) =>
        run.ExternalId ?? throw new InvalidOperationException($"Job {run.JobId} attempt {run.Attempt} has no Slurm job id.");
}
