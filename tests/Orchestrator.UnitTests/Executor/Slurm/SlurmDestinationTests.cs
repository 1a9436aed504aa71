using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orchestrator.Executor.Destinations.Remote;
using Orchestrator.Executor.Destinations.Slurm;
using Orchestrator.Executor.Runs;
using Orchestrator.Platform.Configuration;

namespace Orchestrator.UnitTests.Executor.Slurm;

/// <summary>The adapter over a scripted command runner: what it asks Slurm and how it reads the answers and failures.</summary>
public sealed class SlurmDestinationTests : IDisposable
{
    readonly ScriptedCommandRunner _commands = new();
    readonly string _directory = Directory.CreateTempSubdirectory("orch-slurm-unit-").FullName;
    readonly SlurmOptions _options = new();
    readonly SettableClock _clock = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));

    public SlurmDestinationTests() => File.WriteAllText(Path.Combine(_directory, "run.sh"), "echo hi\n");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    SlurmDestination? _destination;

    /// <summary>One adapter per test, as the executor keeps one: it remembers jobs it saw vanish.</summary>
    SlurmDestination Destination() => _destination ??= NewDestination();

    SlurmDestination NewDestination()
    {
        var orchestrator = new OrchestratorOptions
        {
            Services = { ["prodigy"] = new ServiceOptions { Resources = new ResourceOptions { Cpus = 2, MemoryMb = 512 } } },
        };
        return new SlurmDestination(new SlurmCommandLine(_commands, Options.Create(_options)), Options.Create(_options),
            new FixedOptionsMonitor<OrchestratorOptions>(orchestrator), _clock, NullLogger<SlurmDestination>.Instance);
    }

    RunRecord Run(string? externalId = null) => new()
    {
        JobId = Guid.Parse("6f1c1b1e-0000-4000-8000-000000000001"),
        Attempt = 1,
        InstanceId = "test",
        Service = "prodigy",
        UserId = 3,
        Directory = _directory,
        State = RunStates.Accepted,
        TimeoutSeconds = 90,
        ExternalId = externalId,
        AcceptedAt = new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero),
    };

    [Fact]
    public async Task Submits_the_generated_script_on_standard_input_and_returns_the_job_id()
    {
        _commands.Answer("sbatch", 0, "4711\n");

        var id = await Destination().SubmitAsync(Run(), CancellationToken.None);

        Assert.Equal("4711", id);
        var call = Assert.Single(_commands.Calls);
        Assert.Equal(["--parsable"], call.Arguments);
        Assert.Contains("#SBATCH --cpus-per-task=2\n", call.Input);
        Assert.Contains("#SBATCH --mem=512M\n", call.Input);
        Assert.Contains("#SBATCH --time=2\n", call.Input);
        Assert.Contains($"#SBATCH --chdir={_directory}\n", call.Input);
        Assert.Contains("#SBATCH --job-name=orchestrator-6f1c1b1e-0000-4000-8000-000000000001-1\n", call.Input);
    }

    [Fact]
    public async Task The_command_prefix_goes_before_every_command()
    {
        _options.CommandPrefix = "ssh -o BatchMode=yes login";
        _commands.Answer("ssh", 0, "12\n");

        await Destination().SubmitAsync(Run(), CancellationToken.None);

        var call = Assert.Single(_commands.Calls);
        Assert.Equal("ssh", call.Program);
        Assert.Equal(["-o", "BatchMode=yes", "login", "sbatch", "--parsable"], call.Arguments);
    }

    [Fact]
    public async Task A_missing_sbatch_is_an_unreachable_destination()
    {
        _commands.Answer("sbatch", () => throw new CommandNotRunException("'sbatch' could not be started: No such file or directory"));

        var error = await Assert.ThrowsAsync<DestinationUnavailableException>(() => Destination().SubmitAsync(Run(), CancellationToken.None));

        Assert.Contains("No such file or directory", error.Message);
    }

    [Fact]
    public async Task A_controller_that_does_not_answer_is_an_unreachable_destination()
    {
        _commands.Answer("sbatch", 1, error: "sbatch: error: Batch job submission failed: Unable to contact slurm controller (connect failure)\n");

        var error = await Assert.ThrowsAsync<DestinationUnavailableException>(() => Destination().SubmitAsync(Run(), CancellationToken.None));

        Assert.Contains("Unable to contact slurm controller", error.Message);
    }

    [Fact]
    public async Task Ssh_failing_through_the_prefix_is_an_unreachable_destination()
    {
        _options.CommandPrefix = "ssh login";
        _commands.Answer("ssh", 255, error: "ssh: connect to host login port 22: No route to host\n");

        var error = await Assert.ThrowsAsync<DestinationUnavailableException>(() => Destination().SubmitAsync(Run(), CancellationToken.None));

        Assert.Contains("No route to host", error.Message);
    }

    [Fact]
    public async Task A_job_sbatch_refuses_is_a_clear_error_not_retried()
    {
        _commands.Answer("sbatch", 1, error: "sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified\n");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Destination().SubmitAsync(Run(), CancellationToken.None));

        Assert.Equal("sbatch refused the job: sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified", error.Message);
    }

    [Fact]
    public async Task Sbatch_garbage_is_a_clear_error_and_the_job_it_may_have_made_is_cancelled_by_name()
    {
        _commands.Answer("sbatch", 0, "Welcome to the cluster!\n").Answer("scancel", 0);

        var error = await Assert.ThrowsAsync<SlurmOutputException>(() => Destination().SubmitAsync(Run(), CancellationToken.None));

        Assert.Contains("Welcome to the cluster!", error.Message);
        Assert.Equal(["--name=orchestrator-6f1c1b1e-0000-4000-8000-000000000001-1"], _commands.Calls[1].Arguments);
    }

    [Fact]
    public async Task A_job_without_its_directory_is_not_submitted()
    {
        var run = Run();
        run.Directory = Path.Combine(_directory, "missing");

        await Assert.ThrowsAsync<DirectoryNotFoundException>(() => Destination().SubmitAsync(run, CancellationToken.None));
        Assert.Empty(_commands.Calls);
    }

    [Fact]
    public async Task A_job_slurmctld_lists_is_read_from_squeue()
    {
        _commands.Answer("squeue", 0, "4711:RUNNING:None\n");

        var status = await Destination().GetStatusAsync(Run("4711"), CancellationToken.None);

        Assert.Equal(RemoteRunState.Running, status.State);
        Assert.Equal(["--noheader", "--jobs=4711", "--format=%i:%T:%r"], Assert.Single(_commands.Calls).Arguments);
    }

    [Fact]
    public async Task A_job_slurmctld_forgot_is_read_from_sacct_with_its_exit_code()
    {
        _commands.Answer("squeue", 1, error: "slurm_load_jobs error: Invalid job id specified\n")
            .Answer("sacct", 0, "4711|FAILED|3:0|NonZeroExitCode\n");

        var status = await Destination().GetStatusAsync(Run("4711"), CancellationToken.None);

        Assert.Equal(new RemoteRunStatus(RemoteRunState.Exited, 3, "Slurm job 4711 ended FAILED (exit code 3, reason NonZeroExitCode)"), status);
    }

    [Fact]
    public async Task A_finished_job_squeue_no_longer_shows_is_read_from_sacct()
    {
        _commands.Answer("squeue", 0, "").Answer("sacct", 0, "4711|COMPLETED|0:0|None\n");

        var status = await Destination().GetStatusAsync(Run("4711"), CancellationToken.None);

        Assert.Equal(new RemoteRunStatus(RemoteRunState.Exited, 0, null), status);
    }

    [Fact]
    public async Task A_job_neither_queued_nor_accounted_yet_is_asked_about_again()
    {
        _commands.Answer("squeue", 0, "").Answer("sacct", 0, "");

        var error = await Assert.ThrowsAsync<DestinationUnavailableException>(() => Destination().GetStatusAsync(Run("4711"), CancellationToken.None));

        Assert.Contains("neither queued", error.Message);
    }

    [Fact]
    public async Task Slurmdbd_down_while_the_job_ran_is_asked_about_again()
    {
        _commands.Answer("squeue", 0, "")
            .Answer("sacct", 1, error: "sacct: error: slurm_persist_conn_open_without_init: failed to open persistent connection to host:localhost:6819: Connection refused\n");

        await Assert.ThrowsAsync<DestinationUnavailableException>(() => Destination().GetStatusAsync(Run("4711"), CancellationToken.None));
    }

    [Fact]
    public async Task Squeue_garbage_is_a_clear_error_that_keeps_the_job_followed()
    {
        _commands.Answer("squeue", 0, "<html>502 Bad Gateway</html>\n");

        var error = await Assert.ThrowsAsync<DestinationUnavailableException>(() => Destination().GetStatusAsync(Run("4711"), CancellationToken.None));

        Assert.Contains("Slurm answered unreadably about job 4711", error.Message);
        Assert.Contains("502 Bad Gateway", error.Message);
    }

    [Fact]
    public async Task Cancel_is_scancel_of_the_job_id()
    {
        _commands.Answer("scancel", 0);

        await Destination().CancelAsync(Run("4711"), CancellationToken.None);

        Assert.Equal(["4711"], Assert.Single(_commands.Calls).Arguments);
    }

    [Fact]
    public async Task Cancelling_a_job_that_already_ended_is_no_error()
    {
        _commands.Answer("scancel", 1, error: "scancel: error: Kill job error on job id 4711: Invalid job id specified\n");

        await Destination().CancelAsync(Run("4711"), CancellationToken.None);
    }

    [Fact]
    public async Task Cancelling_while_the_controller_is_down_is_an_unreachable_destination()
    {
        _commands.Answer("scancel", 1, error: "scancel: error: Kill job error on job id 4711: Unable to contact slurm controller (connect failure)\n");

        await Assert.ThrowsAsync<DestinationUnavailableException>(() => Destination().CancelAsync(Run("4711"), CancellationToken.None));
    }

    [Fact]
    public async Task A_run_submitted_before_its_id_was_stored_is_found_by_its_name_in_the_queue()
    {
        _commands.Answer("squeue", 0, "4712\n");

        var found = await Destination().FindSubmittedAsync(Run(), CancellationToken.None);

        Assert.Equal("4712", found);
        Assert.Equal(["--noheader", "--name=orchestrator-6f1c1b1e-0000-4000-8000-000000000001-1", "--format=%i"],
            Assert.Single(_commands.Calls).Arguments);
    }

    [Fact]
    public async Task A_run_that_already_ended_is_found_by_its_name_in_accounting()
    {
        _commands.Answer("squeue", 0, "").Answer("sacct", 0, "4713\n");

        Assert.Equal("4713", await Destination().FindSubmittedAsync(Run(), CancellationToken.None));
        Assert.Contains("--name=orchestrator-6f1c1b1e-0000-4000-8000-000000000001-1", _commands.Calls[1].Arguments);
        Assert.Contains("--starttime=2026-12-01T12:00:00", _commands.Calls[1].Arguments);
    }

    [Fact]
    public async Task A_run_sbatch_never_made_is_not_found()
    {
        _commands.Answer("squeue", 0, "").Answer("sacct", 0, "");

        Assert.Null(await Destination().FindSubmittedAsync(Run(), CancellationToken.None));
    }

    [Fact]
    public async Task A_job_slurmctld_lost_while_accounting_shows_it_running_fails_as_vanished_after_the_grace()
    {
        for (var i = 0; i < 2; i++)
        {
            _commands.Answer("squeue", 1, error: "slurm_load_jobs error: Invalid job id specified\n")
                .Answer("sacct", 0, "4711|RUNNING|0:0|None\n");
        }

        var early = await Assert.ThrowsAsync<DestinationUnavailableException>(() => Destination().GetStatusAsync(Run("4711"), CancellationToken.None));
        _clock.Advance(_options.VanishedGrace);
        var status = await Destination().GetStatusAsync(Run("4711"), CancellationToken.None);

        Assert.Contains("vanished", early.Message);
        Assert.Equal(RemoteRunState.Failed, status.State);
        Assert.Equal("Slurm job 4711 vanished: slurmctld no longer knows it, and accounting last recorded it RUNNING", status.Detail);
    }

    [Fact]
    public async Task A_running_job_squeue_merely_does_not_list_is_not_vanished()
    {
        _commands.Answer("squeue", 0, "").Answer("sacct", 0, "4711|RUNNING|0:0|None\n");
        _clock.Advance(TimeSpan.FromHours(1));

        var status = await Destination().GetStatusAsync(Run("4711"), CancellationToken.None);

        Assert.Equal(RemoteRunState.Running, status.State);
    }
}
