using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Orchestrator.Platform.Sagas;

public static class SagaRegistration
{
    /// <summary>Registers the PostgreSQL repository of <typeparamref name="TSaga"/>, batching as the <c>Sagas</c> section says.</summary>
    public static WebApplicationBuilder AddPostgresSagaRepository<TSaga, TDbContext>(this WebApplicationBuilder builder)
        where TSaga : class, ISaga
        where TDbContext : DbContext
    {
        builder.Services.Configure<SagaBatchOptions>(builder.Configuration.GetSection(SagaBatchOptions.Section));
        builder.Services.AddSingleton<PostgresSagaRepository<TSaga, TDbContext>>();
        return builder;
    }
}
