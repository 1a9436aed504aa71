using Microsoft.EntityFrameworkCore;
using Orchestrator.Api.Persistence;

namespace Orchestrator.Api.Endpoints.V1;

public static class V1Attempts
{
    public static async Task<IReadOnlyList<V1AttemptView>> LoadAsync(ApiDbContext db, long number, CancellationToken cancellationToken) =>
        await db.Attempts.AsNoTracking()
            .Where(a => a.JobNumber == number)
            .OrderBy(a => a.Attempt)
            .Select(a => new V1AttemptView(a.Attempt, a.State, a.Destination, a.DispatchedAt, a.StartedAt, a.FinishedAt, a.Outcome, a.ExitCode, a.Error))
            .ToListAsync(cancellationToken);
}
