using Microsoft.EntityFrameworkCore;
using Orchestrator.Api.Persistence;

namespace Orchestrator.Api.Jobs;

public static class JobLookup
{
    /// <summary>
    /// The job an id in a URL names: all digits is the job's number, anything else the id its client chose (chosen
    /// ids are never all digits, so the two cannot collide).
    /// </summary>
    public static Task<JobRecord?> FindAsync(this ApiDbContext db, string id, CancellationToken cancellationToken) =>
        id.Length > 0 && id.All(char.IsAsciiDigit)
            ? long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
                ? db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.Number == number, cancellationToken)
                : Task.FromResult<JobRecord?>(null)
            : db.Jobs.AsNoTracking().SingleOrDefaultAsync(j => j.ClientId == id, cancellationToken);
}
