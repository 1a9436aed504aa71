using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Orchestrator.IntegrationTests.Infrastructure;

namespace Orchestrator.IntegrationTests.EndToEnd;

/// <summary>Submitting jobs and following them through the Api, with the services' logs in every failure.</summary>
public static class SystemJobs
{
    public static readonly string[] FinalStates = ["Completed", "Failed", "Cancelled", "TimedOut", "Cleaned"];

    /// <summary>Submits <paramref name="script"/> as run.sh; returns the job's number and directory.</summary>
    public static async Task<(long Id, string Directory)> SubmitAsync(this OrchestratorSystem system, string script,
        IReadOnlyDictionary<string, string>? extraFiles = null)
    {
        using var response = await system.UploadAsync(script, extraFiles: extraFiles);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.Created)
            throw new Xunit.Sdk.XunitException($"Upload answered {(int)response.StatusCode}: {text}{Environment.NewLine}{system.Logs}");
        using var body = JsonDocument.Parse(text);
        return (body.RootElement.GetProperty("id").GetInt64(), body.RootElement.GetProperty("loc").GetString()!);
    }

    public static Task<JsonElement> JobAsync(this OrchestratorSystem system, long id) =>
        system.Api.GetFromJsonAsync<JsonElement>($"/jobs/{id}");

    public static async Task<Guid> JobIdAsync(this OrchestratorSystem system, long id) =>
        (await system.JobAsync(id)).GetProperty("job_id").GetGuid();

    public static string State(this JsonElement job) => job.GetProperty("state").GetString()!;

    public static int? ExitCode(this JsonElement job) =>
        job.GetProperty("exit_code").ValueKind == JsonValueKind.Null ? null : job.GetProperty("exit_code").GetInt32();

    public static string? Error(this JsonElement job) => job.GetProperty("error").GetString();

    public static async Task<JsonElement> WaitForFinalStateAsync(this OrchestratorSystem system, long id, TimeSpan? timeout = null)
    {
        try
        {
            return await Eventually.UntilAsync(() => system.JobAsync(id), j => FinalStates.Contains(j.State()),
                $"job {id} to finish", timeout);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}{Environment.NewLine}{await system.QueueStateAsync()}{system.Logs}", ex);
        }
    }

    /// <summary>Where the jobs stand in the Scheduler's and the Executor's tables, for failure messages.</summary>
    public static async Task<string> QueueStateAsync(this OrchestratorSystem system)
    {
        var state = new System.Text.StringBuilder();
        foreach (var (what, sql) in new[]
        {
            ("sagas (number:state:attempt)", "SELECT string_agg(job_number || ':' || current_state || ':' || attempt, ' ' ORDER BY job_number) FROM scheduler.job_sagas"),
            ("queued jobs", "SELECT string_agg(job_number::text, ' ' ORDER BY job_number) FROM scheduler.queued_jobs"),
            ("active jobs", "SELECT string_agg(job_id::text || ':' || attempt, ' ') FROM scheduler.active_jobs"),
            ("fair-share accounts (service:user:usage)", "SELECT string_agg(service || ':' || user_id || ':' || round(usage::numeric, 2), ' ') FROM scheduler.fair_share_accounts"),
            ("executor runs (job:attempt:state)", "SELECT string_agg(job_id::text || ':' || attempt || ':' || state, ' ') FROM executor.runs"),
            ("unsent outbox messages (api scheduler executor)",
                "SELECT (SELECT count(*) FROM api.outbox_messages) || ' ' || (SELECT count(*) FROM scheduler.outbox_messages) || ' ' || (SELECT count(*) FROM executor.outbox_messages)"),
        })
        {
            try
            {
                state.AppendLine($"{what}: {await system.Database.ScalarAsync<string>(sql)}");
            }
            catch (Npgsql.PostgresException ex)
            {
                state.AppendLine($"{what}: ({ex.MessageText})");
            }
        }

        return state.ToString();
    }

    /// <summary>The pid of the job's session leader once the Executor has recorded it in <c>executor.runs</c>.</summary>
    public static async Task<int> RunningProcessAsync(this OrchestratorSystem system, long id)
    {
        var jobId = await system.JobIdAsync(id);
        try
        {
            return (await Eventually.UntilAsync(
                () => system.Database.ScalarAsync<int?>($"SELECT process_id FROM executor.runs WHERE job_id = '{jobId}'"),
                pid => pid is not null, $"job {id} to be started by the Executor"))!.Value;
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}{Environment.NewLine}{system.Logs}", ex);
        }
    }

    /// <summary>Rows of <c>executor.runs</c> for the job: one per process the Executor ever started for it.</summary>
    public static async Task<long> RunCountAsync(this OrchestratorSystem system, long id)
    {
        var jobId = await system.JobIdAsync(id);
        return await system.Database.ScalarAsync<long>($"SELECT count(*) FROM executor.runs WHERE job_id = '{jobId}'");
    }
}
