using Orchestrator.Platform.Configuration;

namespace Orchestrator.Scheduler.Dispatching;

/// <summary>A user with queued work in a service, as the planner sees it.</summary>
public sealed class DispatchCandidate
{
    public required string Service { get; init; }

    public int UserId { get; init; }

    public int Queued { get; set; }

    public double Usage { get; set; }

    public double Share { get; init; }

    public DateTimeOffset LastDispatchedAt { get; set; }

    public double Factor => FairShare.Factor(Usage, Share);

    /// <summary>
    /// The candidate for <paramref name="waiting"/>: its share in <paramref name="service"/>, and its usage decayed from
    /// what <paramref name="account"/> recorded (none: a user never served, who goes before everyone served).
    /// </summary>
    public static DispatchCandidate For(WaitingUser waiting, ServiceOptions service, FairShareAccount? account, DateTimeOffset now, TimeSpan halfLife) => new()
    {
        Service = waiting.Service,
        UserId = waiting.UserId,
        Queued = waiting.Queued,
        Share = service.ShareOf(waiting.UserId),
        Usage = account is null ? 0 : FairShare.Decay(account.Usage, account.UpdatedAt, now, halfLife),
        LastDispatchedAt = account?.LastDispatchedAt ?? DateTimeOffset.UnixEpoch,
    };

    /// <summary>A copy to plan with, so planning a preview leaves this one as it is.</summary>
    public DispatchCandidate Copy() => new()
    {
        Service = Service,
        UserId = UserId,
        Queued = Queued,
        Share = Share,
        Usage = Usage,
        LastDispatchedAt = LastDispatchedAt,
    };
}
