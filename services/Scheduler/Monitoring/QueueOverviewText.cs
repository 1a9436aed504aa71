using System.Globalization;
using System.Text;

namespace Orchestrator.Scheduler.Monitoring;

/// <summary>The overview as a plain-text table for a terminal (<c>./orchestrator queue</c>), in the spirit of Slurm's <c>sshare</c>.</summary>
public static class QueueOverviewText
{
    public static string Render(QueueOverview overview)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Queue at {overview.ReadAt:yyyy-MM-dd HH:mm:ss} UTC");
        foreach (var service in overview.Services)
        {
            text.AppendLine();
            text.AppendLine(service.Destination is null
                ? string.Create(CultureInfo.InvariantCulture,
                    $"{service.Service} (not configured: nothing is dispatched): {service.Running} running, {service.Queued} queued")
                : string.Create(CultureInfo.InvariantCulture,
                    $"{service.Service} -> {service.Destination}: {service.Running} of {service.MaxRuns} running ({service.RunsPerUser} per user), {service.Queued} queued"));
            if (service.Users.Count == 0)
                continue;
            text.AppendLine(Row("rank", "user", "queued", "running", "share", "usage", "factor", "last served (UTC)", "waiting on"));
            foreach (var user in service.Users)
            {
                text.AppendLine(Row(
                    user.Rank?.ToString(CultureInfo.InvariantCulture) ?? "-",
                    user.UserId.ToString(CultureInfo.InvariantCulture),
                    user.Queued.ToString(CultureInfo.InvariantCulture),
                    user.Running.ToString(CultureInfo.InvariantCulture),
                    user.Share.ToString("0.##", CultureInfo.InvariantCulture),
                    user.Usage.ToString("0.00", CultureInfo.InvariantCulture),
                    user.Factor.ToString("0.0000", CultureInfo.InvariantCulture),
                    user.LastDispatchedAt?.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "never",
                    user.WaitingOn ?? (user.Queued > 0 ? "(a free slot)" : "")));
            }
        }

        text.AppendLine();
        text.AppendLine("Destinations: " + string.Join(", ",
            overview.Destinations.Select(d => string.Create(CultureInfo.InvariantCulture, $"{d.Destination} {d.InUse} of {d.Capacity}"))));
        text.AppendLine(overview.Next.Count == 0
            ? "Next dispatches: none until a slot frees up or a job is queued"
            : "Next dispatches: " + string.Join(", ", overview.Next.Take(20).Select(n => string.Create(CultureInfo.InvariantCulture, $"{n.Service}/{n.UserId}")))
              + (overview.Next.Count > 20 ? string.Create(CultureInfo.InvariantCulture, $" and {overview.Next.Count - 20} more") : ""));
        return text.ToString();
    }

    static string Row(params string[] cells)
    {
        int[] widths = [4, 8, 7, 8, 6, 9, 7, 19, 0];
        return string.Join("  ", cells.Select((cell, i) => i < 7 ? cell.PadLeft(widths[i]) : cell.PadRight(widths[i]))).TrimEnd();
    }
}
