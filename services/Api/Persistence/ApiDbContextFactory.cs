using Orchestrator.Platform.Persistence;

namespace Orchestrator.Api.Persistence;

public sealed class ApiDbContextFactory() : DesignTimeDbContextFactory<ApiDbContext>(ApiDbContext.Schema);
