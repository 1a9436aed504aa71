using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Orchestrator.Executor.Destinations.Remote;
using Orchestrator.Executor.Runs;
using Orchestrator.Platform.Configuration;

namespace Orchestrator.Executor.Destinations.Dirac;

/// <summary>
/// The <c>dirac</c> destination: each run becomes a DIRAC job. Its directory is uploaded as the input sandbox, a JDL
/// runs <c>run.sh</c>, its status is polled through the job search, and its output sandbox is unpacked into the
/// directory at the end. The DIRAC job id is the run's external id.
/// </summary>
public sealed class DiracDestination(
    DiracApi api,
    IOptions<DiracOptions> options,
    IOptions<OrchestratorOptions> orchestrator,
    ILogger<DiracDestination> logger) : IRemoteDestination
{
    /// <summary>The last DIRAC status seen per job, so fetching knows whether an output sandbox must exist.</summary>
    readonly ConcurrentDictionary<string, string> _lastStatus = new();

    public static string JobName(RunRecord run) => $"orchestrator-{run.JobId:N}-{run.Attempt}";

    public async Task<string> SubmitAsync(RunRecord run, CancellationToken cancellationToken)
    {
        var name = JobName(run);
        // A submit whose answer was lost (a timeout after DiracX took it) is found by its name, not made twice.
        if (await api.FindJobByNameAsync(name, cancellationToken) is { } existing)
        {
            logger.LogInformation("Job {JobId} is already DIRAC job {DiracJobId}", run.JobId, existing);
            return existing.ToString(CultureInfo.InvariantCulture);
        }

        var pfn = await UploadInputSandboxAsync(run, cancellationToken);
        var jdl = DiracJdl.Write(Describe(run, pfn));
        var jobId = await api.SubmitJdlAsync(jdl, cancellationToken);
        logger.LogInformation("Job {JobId} attempt {Attempt} submitted as DIRAC job {DiracJobId}", run.JobId, run.Attempt, jobId);
        return jobId.ToString(CultureInfo.InvariantCulture);
    }

    public async Task<RemoteRunStatus> GetStatusAsync(RunRecord run, CancellationToken cancellationToken)
    {
        var jobId = DiracJobId(run);
        try
        {
            var status = await api.GetStatusAsync(jobId, cancellationToken);
            if (status is null)
                return new RemoteRunStatus(RemoteRunState.Failed, Detail: $"DIRAC no longer knows job {jobId}.");
            _lastStatus[run.ExternalId!] = status.Status;
            return DiracStatusMapping.Map(status);
        }
        catch (DiracProtocolException ex)
        {
            // One bad answer about a job that may well be running is no reason to give it up: it is asked again,
            // and the saga's deadline stays the last word.
            throw new DestinationUnavailableException($"DiracX gave an unusable status for job {jobId}: {ex.Message}", ex);
        }
    }

    public async Task FetchResultsAsync(RunRecord run, CancellationToken cancellationToken)
    {
        var jobId = DiracJobId(run);
        _lastStatus.TryRemove(run.ExternalId!, out var lastStatus);
        var pfns = await api.GetOutputSandboxPfnsAsync(jobId, cancellationToken);
        if (pfns.Count == 0)
        {
            if (lastStatus == "Done")
                throw new DiracProtocolException($"DIRAC job {jobId} is Done but has no output sandbox.");
            logger.LogInformation("DIRAC job {DiracJobId} ({Status}) left no output sandbox", jobId, lastStatus);
            return;
        }

        foreach (var pfn in pfns)
        {
            var url = await api.GetSandboxDownloadUrlAsync(pfn, cancellationToken);
            // Downloaded to a file first: the archive's format is told by its first bytes, and it may be large.
            var temporary = Path.Combine(Path.GetTempPath(), $"dirac-output-{jobId}-{Guid.NewGuid():N}");
            await using var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None,
                64 * 1024, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
            await api.DownloadSandboxAsync(url, file, cancellationToken);
            file.Position = 0;
            await DiracSandbox.UnpackAsync(file, run.Directory, cancellationToken);
        }

        logger.LogInformation("Unpacked {Count} output sandbox(es) of DIRAC job {DiracJobId} into {Directory}", pfns.Count, jobId, run.Directory);
    }

    public async Task CancelAsync(RunRecord run, CancellationToken cancellationToken)
    {
        var jobId = DiracJobId(run);
        if (await api.KillAsync(jobId, cancellationToken) is { } refused)
            logger.LogWarning("DIRAC did not kill job {DiracJobId}: {Reason}", jobId, refused);
        else
            logger.LogInformation("Asked DIRAC to kill job {DiracJobId}", jobId);
    }

    async Task<string> UploadInputSandboxAsync(RunRecord run, CancellationToken cancellationToken)
    {
        var (archive, checksum) = await DiracSandbox.PackAsync(run.Directory, cancellationToken);
        var upload = await api.InitiateSandboxUploadAsync(
            new DiracSandboxInfo("sha256", checksum, archive.Length, DiracSandbox.Format), cancellationToken);
        if (upload.Pfn is not { Length: > 0 } pfn)
            throw new DiracProtocolException("DiracX answered the sandbox upload without a pfn.");
        // No address means the store already holds a sandbox with this checksum.
        if (upload.Url is { Length: > 0 } url)
            await api.UploadSandboxAsync(url, upload.Fields ?? [], archive, cancellationToken);
        return pfn;
    }

    DiracJobDescription Describe(RunRecord run, string inputSandboxPfn)
    {
        var environment = run.Environment is null
            ? new Dictionary<string, string>()
            : JsonSerializer.Deserialize<Dictionary<string, string>>(run.Environment) ?? [];
        var resources = orchestrator.Value.Services.TryGetValue(run.Service, out var service) ? service.Resources : new ResourceOptions();
        return new DiracJobDescription(
            JobName(run),
            inputSandboxPfn,
            options.Value.OutputSandbox is { Count: > 0 } patterns ? patterns : ["*"],
            run.TimeoutSeconds,
            resources.Cpus,
            environment,
            options.Value.Site,
            options.Value.JobGroup);
    }

    static long DiracJobId(RunRecord run) =>
        long.TryParse(run.ExternalId, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : throw new DiracProtocolException($"The run's external id '{run.ExternalId}' is not a DIRAC job id.");
}
