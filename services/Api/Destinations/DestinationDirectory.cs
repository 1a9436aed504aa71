using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Orchestrator.Api.Jobs;
using Orchestrator.Api.Persistence;
using Orchestrator.Contracts;
using Orchestrator.Platform.Configuration;

namespace Orchestrator.Api.Destinations;

/// <summary>
/// Answers <c>GET /destinations</c> from configuration (names, kinds, capacities, agent URLs), the jobs table (jobs
/// in flight) and the executors' latest status reports (health, agents' load and health).
/// </summary>
public sealed class DestinationDirectory(ApiDbContext db, IOptions<OrchestratorOptions> orchestrator, IOptions<ApiOptions> options)
{
    static readonly string[] InFlightStates = [JobStates.Dispatched, JobStates.Running, JobStates.Cancelling];

    public async Task<IReadOnlyList<DestinationView>> ListAsync(CancellationToken cancellationToken)
    {
        var inFlight = await db.Jobs.AsNoTracking()
            .Where(j => j.Destination != null && InFlightStates.Contains(j.State))
            .GroupBy(j => j.Destination!)
            .Select(g => new { Destination = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Destination, g => g.Count, cancellationToken);
        var reports = await db.DestinationStatuses.AsNoTracking().ToListAsync(cancellationToken);
        var freshSince = DateTimeOffset.UtcNow - options.Value.DestinationStatusStaleAfter;

        return orchestrator.Value.Destinations.OrderBy(d => d.Key, StringComparer.Ordinal).Select(d =>
        {
            var mine = reports.Where(r => r.Destination == d.Key).OrderBy(r => r.Instance, StringComparer.Ordinal).ToList();
            var fresh = mine.Where(r => r.ReportedAt >= freshSince).ToList();
            var instances = mine.Select(r => new DestinationInstanceView(r.Instance, r.Slots, r.SlotsInUse, r.Healthy, r.ReportedAt < freshSince, r.ReportedAt)).ToList();
            return new DestinationView(d.Key, d.Value.Kind, d.Value.Capacity, inFlight.GetValueOrDefault(d.Key),
                fresh.Any(r => r.Healthy), instances, d.Value.Kind == "jobd" ? Agents(d.Value, fresh) : null);
        }).ToList();
    }

    /// <summary>Configured agents first, then any a fresh report names that configuration no longer does.</summary>
    static List<AgentView> Agents(DestinationOptions destination, List<DestinationStatusRecord> fresh)
    {
        var reported = fresh.OrderByDescending(r => r.ReportedAt)
            .SelectMany(r => r.Agents)
            .GroupBy(a => Normalise(a.Url))
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var configured = destination.Agents.Select(Normalise).Distinct(StringComparer.Ordinal).ToList();
        return configured.Concat(reported.Keys.Except(configured, StringComparer.Ordinal)).Select(url =>
        {
            var seen = reported.GetValueOrDefault(url) ?? [];
            var latest = seen.FirstOrDefault(a => a.Healthy is not null);
            return new AgentView(url, configured.Contains(url),
                seen.Any(a => a.Healthy == true) ? true : latest?.Healthy,
                latest?.Load,
                seen.Sum(a => a.InFlight),
                seen.Any(a => a.Healthy == true) ? null : latest?.LastError);
        }).ToList();
    }

    static string Normalise(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
            ? uri.AbsolutePath.EndsWith('/') ? uri.AbsoluteUri : uri.AbsoluteUri + "/"
            : url;
}
