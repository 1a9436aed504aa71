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

    public void Add(string service, int userId, string destination)
    {
        _services[service] = Service(service) + 1;
        _users[(service, userId)] = User(service, userId) + 1;
        _destinations[destination] = Destination(destination) + 1;
    }
}
