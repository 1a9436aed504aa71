using Microsoft.EntityFrameworkCore;
using Orchestrator.Api.Persistence;
using Orchestrator.Api.Security;

namespace Orchestrator.Api.Jobs;

public static class JobLookup
{
    /// <summary>
    /// The job an id in a URL names: all digits is the job's number, anything else the id its client chose (chosen
    /// ids are never all digits, so the two cannot collide).
    /// Only jobs <paramref name="caller"/> may see are found, so another user's job answers like an unknown one, and
    /// an id no job could have is not looked up at all.
    /// </summary>
    public static Task<JobRecord?> FindAsync(this ApiDbContext db, string id, ApiCaller caller, CancellationToken cancellationToken)
    {
        var jobs = caller.Scope(db.Jobs.AsNoTracking());
        if (id.Length > 0 && id.All(char.IsAsciiDigit))
            return long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
                ? jobs.SingleOrDefaultAsync(j => j.Number == number, cancellationToken)
                : Task.FromResult<JobRecord?>(null);
        return JobRequestRules.IsValidClientId(id)
            ? jobs.SingleOrDefaultAsync(j => j.ClientId == id, cancellationToken)
            : Task.FromResult<JobRecord?>(null);
    }
}
