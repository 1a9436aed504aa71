using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Orchestrator.Api.Jobs;
using Orchestrator.Api.Persistence;
using Orchestrator.Platform.Persistence;

namespace Orchestrator.UnitTests.Api;

/// <summary>The job's INSERT is written out by hand: a column added to <c>api.jobs</c> must be a decision, not forgotten.</summary>
public sealed class JobInsertTests
{
    /// <summary>What the job's events (and a cancellation request) fill in after submission; null until then.</summary>
    static readonly string[] FilledLater =
    [
        "destination", "exit_code", "error", "queued_at", "dispatched_at", "running_at", "completed_at", "failed_at",
        "cleaned_at", "cancelled_at", "timed_out_at", "cancel_requested_at",
    ];

    [Fact]
    public void Every_column_of_a_job_is_either_written_at_submission_or_filled_in_later()
    {
        var options = new DbContextOptionsBuilder<ApiDbContext>();
        options.UseOrchestratorDatabase("Host=127.0.0.1;Database=unused", ApiDbContext.Schema);
        using var db = new ApiDbContext(options.Options);
        var entity = db.Model.FindEntityType(typeof(JobRecord))!;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var columns = entity.GetProperties().Select(p => p.GetColumnName(table)!).ToList();

        Assert.Equal(columns.Order(), JobInsert.Columns.Concat(FilledLater).Order());
        Assert.Equal("jobs", entity.GetTableName());
        Assert.Equal("api", entity.GetSchema());
    }
}
