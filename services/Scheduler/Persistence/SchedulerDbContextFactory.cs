using Orchestrator.Platform.Persistence;

namespace Orchestrator.Scheduler.Persistence;

public sealed class SchedulerDbContextFactory() : DesignTimeDbContextFactory<SchedulerDbContext>(SchedulerDbContext.Schema);
