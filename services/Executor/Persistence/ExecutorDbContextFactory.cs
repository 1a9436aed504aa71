using Orchestrator.Platform.Persistence;

namespace Orchestrator.Executor.Persistence;

public sealed class ExecutorDbContextFactory() : DesignTimeDbContextFactory<ExecutorDbContext>(ExecutorDbContext.Schema);
