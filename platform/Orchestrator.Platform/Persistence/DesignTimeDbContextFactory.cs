using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Orchestrator.Platform.Persistence;

/// <summary>Lets <c>dotnet ef migrations add</c> build a service's model without starting the service.</summary>
public abstract class DesignTimeDbContextFactory<TDbContext>(string schema) : IDesignTimeDbContextFactory<TDbContext>
    where TDbContext : DbContext
{
    public TDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<TDbContext>();
        options.UseOrchestratorDatabase("Host=127.0.0.1;Database=orchestrator", schema);
        return (TDbContext)Activator.CreateInstance(typeof(TDbContext), options.Options)!;
    }
}
