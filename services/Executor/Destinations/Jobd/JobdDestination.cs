using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Options;
using Orchestrator.Executor.Destinations.Remote;
using Orchestrator.Executor.Runs;
using Orchestrator.Platform.Processes;

namespace Orchestrator.Executor.Destinations.Jobd;

/// <summary>
/// The <c>jobd</c> destination: jobs run on agents that speak the WeNMR job-orchestrator's client protocol (ours in
/// <c>services/Agent</c>, or the anchor's own). Submits to the least loaded healthy agent, polls
/// <c>/retrieve/{id}</c>, unpacks the result zip into the job's directory, reads the exit code from the
/// <c>.orchestrator.exit</c> the run left there, and kills with <c>/kill/{id}</c>. An agent silent for longer than
/// <see cref="JobdOptions.LostAgentGrace"/> has its jobs reported Lost. Answers that break the protocol fail the job
/// with a message that quotes them.
/// </summary>
public sealed class JobdDestination(
    JobdAgentPool pool,
    IHttpClientFactory httpClients,
    IOptions<JobdOptions> options,
    ILogger<JobdDestination> logger) : IRemoteDestination, IPartialResultsSource
{
    /// <summary>Runs whose results were unpacked while their status was read, so the final fetch is not repeated.</summary>
    readonly ConcurrentDictionary<string, bool> _fetched = new(StringComparer.Ordinal);

    public async Task<string> SubmitAsync(RunRecord run, CancellationToken cancellationToken)
    {
        // The Api refuses such jobs; one queued before its service moved to this destination must not run without them.
        if (run.Environment is not null)
            throw new InvalidOperationException("The job sets environment variables; the jobd protocol cannot pass them to an agent, so it cannot run there.");
        var files = InputFiles(run.Directory);
        var agent = await pool.ChooseAsync(cancellationToken)
            ?? throw new DestinationUnavailableException(
                $"No agent of jobd destination '{pool.Destination}' answers: {string.Join("; ", pool.Snapshot().Select(a => $"{a.BaseAddress} {a.LastError ?? "not probed yet"}"))}");

        using var form = new MultipartFormDataContent();
        var streams = new List<Stream>();
        try
        {
            foreach (var file in files)
            {
                var stream = File.OpenRead(file);
                streams.Add(stream);
                var part = new StreamContent(stream);
                part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                form.Add(part, "file", Path.GetFileName(file));
            }

            using var response = await CallAsync(agent, HttpMethod.Post, "submit", form, options.Value.TransferTimeout, cancellationToken);
            if ((int)response.Status >= 500)
                throw new DestinationUnavailableException($"Agent {agent.BaseAddress} answered /submit with {(int)response.Status}: {response.Excerpt()}");
            if (response.Status != HttpStatusCode.OK)
                throw new InvalidOperationException($"Agent {agent.BaseAddress} refused the job with {(int)response.Status}: {response.Excerpt()}");
            var payload = JobdPayloadStatus.TryParse(response.BodyPath)
                ?? throw new InvalidDataException($"Agent {agent.BaseAddress} answered /submit with something that is not a payload (no numeric 'id'): {response.Excerpt()}");
            var externalId = JobdExternalId.Format(agent.BaseAddress, payload.Id);
            pool.Track(agent, externalId);
            logger.LogInformation("Job {JobId} attempt {Attempt} submitted to agent {Agent} as payload {PayloadId}", run.JobId, run.Attempt, agent.BaseAddress, payload.Id);
            return externalId;
        }
        finally
        {
            foreach (var stream in streams)
                await stream.DisposeAsync();
        }
    }

    public async Task<RemoteRunStatus> GetStatusAsync(RunRecord run, CancellationToken cancellationToken)
    {
        if (!JobdExternalId.TryParse(run.ExternalId, out var address, out var payloadId))
            return new RemoteRunStatus(RemoteRunState.Failed, Detail: $"The stored jobd id '{run.ExternalId}' is not '{{payload}}@{{agent URL}}'.");
        var agent = pool.Get(address);
        pool.Track(agent, run.ExternalId!);

        RemoteRunStatus status;
        try
        {
            status = await ReadStatusAsync(run, agent, payloadId, cancellationToken);
        }
        catch (DestinationUnavailableException) when (pool.DownFor(agent) > options.Value.LostAgentGrace)
        {
            status = new RemoteRunStatus(RemoteRunState.Lost, Detail:
                $"Agent {agent.BaseAddress} has not answered for {pool.DownFor(agent):g} (more than Executor:Jobd:LostAgentGrace, {options.Value.LostAgentGrace:g}); payload {payloadId} there is given up.");
        }

        if (status.IsFinal)
            pool.Untrack(agent, run.ExternalId!);
        return status;
    }

    public async Task FetchResultsAsync(RunRecord run, CancellationToken cancellationToken)
    {
        if (run.ExternalId is not null && _fetched.TryRemove(run.ExternalId, out _))
            return;
        await FetchPartialResultsAsync(run, cancellationToken);
    }

    public async Task FetchPartialResultsAsync(RunRecord run, CancellationToken cancellationToken)
    {
        if (!JobdExternalId.TryParse(run.ExternalId, out var address, out var payloadId))
            throw new InvalidOperationException($"The job has no payload at an agent yet (stored id '{run.ExternalId}').");
        var agent = pool.Get(address);
        if (agent.Healthy == false)
            throw new DestinationUnavailableException($"Agent {agent.BaseAddress} does not answer ({agent.LastError}).");
        using var response = await CallAsync(agent, HttpMethod.Get, $"retrieve_partial/{payloadId}", null, options.Value.TransferTimeout, cancellationToken);
        if (response.Status != HttpStatusCode.OK || !response.IsZip)
            throw new InvalidDataException($"Agent {agent.BaseAddress} answered /retrieve_partial/{payloadId} with {(int)response.Status} and no zip: {response.Excerpt()}");
        Unpack(response, run.Directory);
    }

    public async Task CancelAsync(RunRecord run, CancellationToken cancellationToken)
    {
        if (!JobdExternalId.TryParse(run.ExternalId, out var address, out var payloadId))
            return;
        var agent = pool.Get(address);
        using var response = await CallAsync(agent, HttpMethod.Post, $"kill/{payloadId}", null, options.Value.RequestTimeout, cancellationToken);
        // 404: the agent no longer has it, so nothing of it runs there.
        if (response.Status is not (HttpStatusCode.OK or HttpStatusCode.NoContent or HttpStatusCode.NotFound))
            throw new DestinationUnavailableException($"Agent {agent.BaseAddress} could not kill payload {payloadId}: {(int)response.Status} {response.Excerpt()}");
        logger.LogInformation("Payload {PayloadId} killed at agent {Agent}", payloadId, agent.BaseAddress);
    }

    async Task<RemoteRunStatus> ReadStatusAsync(RunRecord run, JobdAgent agent, uint payloadId, CancellationToken cancellationToken)
    {
        using var response = await CallAsync(agent, HttpMethod.Get, $"retrieve/{payloadId}", null, options.Value.TransferTimeout, cancellationToken);
        var where = $"agent {agent.BaseAddress} payload {payloadId}";
        switch (response.Status)
        {
            case HttpStatusCode.OK when response.IsZip:
                Unpack(response, run.Directory);
                _fetched[run.ExternalId!] = true;
                var code = LocalProcessLauncher.ReadExitCode(run.Directory) ?? 0;
                return new RemoteRunStatus(RemoteRunState.Exited, code, code == 0 ? null : $"run.sh exited with code {code} on {where}.");
            case HttpStatusCode.OK:
                var payload = JobdPayloadStatus.TryParse(response.BodyPath);
                if (payload is null)
                    return Malformed(where, response);
                return await FromPayloadStatusAsync(run, payload.Status, where, cancellationToken);
            case HttpStatusCode.Accepted:
                return new RemoteRunStatus(RemoteRunState.Running);
            // Earlier anchor versions: 204 failed or cleaned, 410 failed, 400 invalid.
            case HttpStatusCode.NoContent or HttpStatusCode.Gone:
                return await FailedAsync(run, where, cancellationToken);
            case HttpStatusCode.BadRequest:
                return new RemoteRunStatus(RemoteRunState.Failed, Detail: $"The agent rejected run.sh as invalid ({where}).");
            case HttpStatusCode.NotFound:
                return new RemoteRunStatus(RemoteRunState.Lost, Detail: $"The agent no longer knows the job ({where}); it lost its state.");
            case >= HttpStatusCode.InternalServerError:
                throw new DestinationUnavailableException($"{where} answered {(int)response.Status}: {response.Excerpt()}");
            default:
                return Malformed(where, response);
        }
    }

    async Task<RemoteRunStatus> FromPayloadStatusAsync(RunRecord run, string status, string where, CancellationToken cancellationToken)
    {
        switch (status)
        {
            case "Prepared" or "Queued" or "Submitted" or "Processing" or "Locked":
                return new RemoteRunStatus(RemoteRunState.Pending, Detail: status);
            case "Running":
                return new RemoteRunStatus(RemoteRunState.Running, Detail: status);
            case "Completed":
                await FetchAndMarkAsync(run, cancellationToken);
                var code = LocalProcessLauncher.ReadExitCode(run.Directory) ?? 0;
                return new RemoteRunStatus(RemoteRunState.Exited, code, code == 0 ? null : $"run.sh exited with code {code} on {where}.");
            case "Failed":
                return await FailedAsync(run, where, cancellationToken);
            case "Killed":
                await FetchAndMarkAsync(run, cancellationToken);
                return new RemoteRunStatus(RemoteRunState.Cancelled, LocalProcessLauncher.ReadExitCode(run.Directory), $"The job was killed at the agent ({where}).");
            case "Invalid":
                return new RemoteRunStatus(RemoteRunState.Failed, Detail: $"The agent's validator rejected run.sh (status Invalid, {where}).");
            case "Cleaned":
                return new RemoteRunStatus(RemoteRunState.Failed, Detail: $"The agent removed the job's files before they were fetched (status Cleaned, {where}).");
            default:
                return new RemoteRunStatus(RemoteRunState.Failed, Detail: $"The agent answered a status this destination does not know, '{status}' ({where}).");
        }
    }

    async Task<RemoteRunStatus> FailedAsync(RunRecord run, string where, CancellationToken cancellationToken)
    {
        await FetchAndMarkAsync(run, cancellationToken);
        return LocalProcessLauncher.ReadExitCode(run.Directory) is { } code and not 0
            ? new RemoteRunStatus(RemoteRunState.Exited, code, $"run.sh exited with code {code} on {where}.")
            : new RemoteRunStatus(RemoteRunState.Failed, Detail:
                $"The agent reports the job Failed without an exit code ({where}): its process vanished or could not start.");
    }

    async Task FetchAndMarkAsync(RunRecord run, CancellationToken cancellationToken)
    {
        await FetchPartialResultsAsync(run, cancellationToken);
        _fetched[run.ExternalId!] = true;
    }

    static RemoteRunStatus Malformed(string where, JobdResponse response) =>
        new(RemoteRunState.Failed, Detail: $"The agent broke the protocol ({where}): /retrieve answered {(int)response.Status} with {response.Excerpt()}");

    /// <summary>Unpacks a result zip; the exit code file of an earlier attempt must not pass for this run's.</summary>
    static void Unpack(JobdResponse response, string directory)
    {
        File.Delete(Path.Combine(directory, LocalProcessLauncher.ExitCodeFile));
        try
        {
            ZipExtraction.ExtractInto(response.BodyPath, directory);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            throw new InvalidDataException($"The agent's zip could not be unpacked: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// The job's files for <c>/submit</c>. The protocol keeps only basenames, so a job with subdirectories cannot be
    /// sent without losing them; it is refused with a reason instead.
    /// </summary>
    static List<string> InputFiles(string directory)
    {
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"The job's directory {directory} does not exist on this executor.");
        if (Directory.EnumerateDirectories(directory).Any())
            throw new InvalidOperationException("The job has subdirectories; jobd agents keep only file basenames, so it cannot run there.");
        return Directory.EnumerateFiles(directory)
            .Where(f => Path.GetFileName(f) is not (LocalProcessLauncher.ExitCodeFile or LocalProcessLauncher.StdoutFile or LocalProcessLauncher.StderrFile))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>One call to an agent, its body saved aside; no answer at all takes the agent out of rotation.</summary>
    async Task<JobdResponse> CallAsync(JobdAgent agent, HttpMethod method, string path, HttpContent? content, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var bodyPath = Path.GetTempFileName();
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            using var request = new HttpRequestMessage(method, new Uri(agent.BaseAddress, path)) { Content = content };
            using var response = await httpClients.CreateClient(JobdAgentPool.HttpClientName)
                .SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            await using (var body = File.Create(bodyPath))
                await response.Content.CopyToAsync(body, deadline.Token);
            pool.Answered(agent);
            return new JobdResponse(response.StatusCode, bodyPath);
        }
        catch (Exception ex) when (ex is HttpRequestException or HttpIOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            File.Delete(bodyPath);
            var reason = ex is OperationCanceledException ? $"no answer to /{path} within {timeout:g}" : ex.Message;
            pool.Unreachable(agent, reason);
            throw new DestinationUnavailableException($"Agent {agent.BaseAddress}: {reason}", ex);
        }
        catch
        {
            File.Delete(bodyPath);
            throw;
        }
    }
}
