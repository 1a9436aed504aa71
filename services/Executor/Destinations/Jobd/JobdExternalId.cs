using System.Globalization;

namespace Orchestrator.Executor.Destinations.Jobd;

/// <summary>
/// The run's id at a jobd destination, <c>{payload id}@{agent base URL}</c>: it names the agent that holds the
/// payload, so a restarted executor asks the right agent even after the agent list changed.
/// </summary>
public static class JobdExternalId
{
    public static string Format(Uri agent, uint payloadId) =>
        $"{payloadId.ToString(CultureInfo.InvariantCulture)}@{agent.AbsoluteUri}";

    public static bool TryParse(string? externalId, out Uri agent, out uint payloadId)
    {
        agent = null!;
        payloadId = 0;
        if (externalId is null)
            return false;
        var at = externalId.IndexOf('@');
        if (at <= 0)
            return false;
        return uint.TryParse(externalId.AsSpan(0, at), NumberStyles.None, CultureInfo.InvariantCulture, out payloadId)
               && Uri.TryCreate(externalId[(at + 1)..], UriKind.Absolute, out agent!);
    }
}
