using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Orchestrator.Api.Persistence;
using Orchestrator.Contracts;

namespace Orchestrator.Api.Consumers;

/// <summary>Keeps the latest status of each executor instance; an older report arriving late never replaces a newer one.</summary>
public sealed class DestinationStatusConsumer(ApiDbContext db) : IConsumer<DestinationStatusReported>
{
    public async Task Consume(ConsumeContext<DestinationStatusReported> context)
    {
        var s = context.Message;
        var agents = JsonSerializer.Serialize(s.Agents ?? []);
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO api.destination_statuses (destination, instance, kind, slots, slots_in_use, healthy, agents, reported_at)
            VALUES ({s.Destination}, {s.Instance}, {s.Kind}, {s.Slots}, {s.SlotsInUse}, {s.Healthy}, CAST({agents} AS jsonb), {s.ReportedAt})
            ON CONFLICT (destination, instance) DO UPDATE SET
                kind = excluded.kind, slots = excluded.slots, slots_in_use = excluded.slots_in_use,
                healthy = excluded.healthy, agents = excluded.agents, reported_at = excluded.reported_at
            WHERE api.destination_statuses.reported_at < excluded.reported_at
            """, context.CancellationToken);
    }
}
