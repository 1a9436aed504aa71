using Microsoft.EntityFrameworkCore;

namespace Orchestrator.Platform.Persistence;

/// <summary>What every service's DbContext shares.</summary>
public abstract class ServiceDbContext : DbContext
{
    protected ServiceDbContext(DbContextOptions options)
        : base(options)
    {
        // Our SaveChanges calls run inside transactions we open ourselves, and a failure ends the whole transaction.
        // EF's savepoint around each call would only allow a partial rollback that nothing uses. It costs two more
        // round trips per message handled.
        Database.AutoSavepointsEnabled = false;
    }
}
