using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Contracts;
using Orchestrator.Platform.Messaging;
using Orchestrator.Platform.Scheduling;

using ScheduledMessage = Orchestrator.Platform.Scheduling.ScheduledMessage;

namespace Orchestrator.Platform.Hosting;

public static class MessagingRegistration
{
    /// <summary>Delivers the outbox of <typeparamref name="TDbContext"/> in the background.</summary>
    public static WebApplicationBuilder AddOutboxDelivery<TDbContext>(this WebApplicationBuilder builder)
        where TDbContext : DbContext
    {
        builder.Services.AddHostedService<OutboxDispatcher<TDbContext>>();
        builder.Services.AddHostedService<OutboxBacklogMonitor<TDbContext>>();
        return builder;
    }

    /// <summary>Forgets the inbox entries of <typeparamref name="TDbContext"/> once they are older than the retention.</summary>
    public static WebApplicationBuilder AddInboxPruning<TDbContext>(this WebApplicationBuilder builder)
        where TDbContext : DbContext
    {
        builder.Services.AddHostedService<InboxPruner<TDbContext>>();
        return builder;
    }

    /// <summary>Hosts the durable scheduler: its queue's consumers and the delivery of due messages.</summary>
    public static IBusRegistrationConfigurator AddDurableScheduler<TDbContext>(this IBusRegistrationConfigurator bus)
        where TDbContext : DbContext
    {
        bus.AddConsumer<ScheduleMessageConsumer<TDbContext>>().Endpoint(e => e.Name = QueueNames.MessageScheduler);
        bus.AddConsumer<CancelScheduledMessageConsumer<TDbContext>>().Endpoint(e => e.Name = QueueNames.MessageScheduler);
        bus.AddHostedService<ScheduledMessageDispatcher<TDbContext>>();
        return bus;
    }
}
