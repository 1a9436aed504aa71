namespace Orchestrator.Platform.Scheduling;

/// <summary>Maps MassTransit message URNs (<c>urn:message:Namespace:Type</c>) back to the CLR types of this process.</summary>
public static class MessageUrns
{
    const string Prefix = "urn:message:";

    public static Type? Resolve(IEnumerable<string> urns)
    {
        foreach (var urn in urns)
        {
            if (!urn.StartsWith(Prefix, StringComparison.Ordinal))
                continue;
            var name = urn[Prefix.Length..];
            var split = name.LastIndexOf(':');
            if (split < 0)
                continue;
            var fullName = $"{name[..split]}.{name[(split + 1)..]}";
            var type = AppDomain.CurrentDomain.GetAssemblies()
                .Select(assembly => assembly.GetType(fullName, throwOnError: false))
                .FirstOrDefault(t => t is not null);
            if (type is not null)
                return type;
        }

        return null;
    }
}
