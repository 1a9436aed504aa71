namespace Orchestrator.Scheduler.Dispatching;

/// <summary>Slots in use per service, per user of a service, and per destination.</summary>
public sealed class SlotUsage
{
    readonly Dictionary<string, int> _services = new(StringComparer.Ordinal);
    readonly Dictionary<(string Service, int UserId), int> _users = new();
    readonly Dictionary<string, int> _destinations = new(StringComparer.Ordinal);

    public int Service(string service) => _services.GetValueOrDefault(service);

    public int User(string service, int userId) => _users.GetValueOrDefault((service, userId));

    public int Destination(string destination) => _destinations.GetValueOrDefault(destination);

    /// <summary>The users of <paramref name="service"/> holding slots, and how many each.</summary>
    public IEnumerable<(int UserId, int Slots)> UsersOf(string service) =>
        _users.Where(u => u.Key.Service == service).Select(u => (u.Key.UserId, u.Value));

    /// <summary>A copy to plan with, so planning a preview leaves this one as it is.</summary>
    public SlotUsage Copy()
    {
        var copy = new SlotUsage();
        foreach (var (key, value) in _services)
            copy._services[key] = value;
        foreach (var (key, value) in _users)
            copy._users[key] = value;
        foreach (var (key, value) in _destinations)
            copy._destinations[key] = value;
        return copy;
    }

    public void Add(string service, int userId, string destination)
    {
        _services[service] = Service(service) + 1;
        _users[(service, userId)] = User(service, userId) + 1;
        _destinations[destination] = Destination(destination) + 1;
    }
}
