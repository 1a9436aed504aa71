using System.Globalization;
using Orchestrator.Api.Jobs;
using Orchestrator.Api.Persistence;
using Orchestrator.Platform.Persistence;

namespace Orchestrator.Api.Security;

/// <summary>
/// <c>Orchestrator.Api keys create|list|revoke</c>: key management from the command line, against the configured
/// database, with the service itself not running. <c>create</c> prints the key alone on standard output (for
/// scripts); everything else goes to standard error.
/// </summary>
public static class ApiKeyCommand
{
    public const string Verb = "keys";

    const string Usage = """
        usage: Orchestrator.Api keys create --role portal|user|admin --name NAME [--user USER_ID]
               Orchestrator.Api keys list
               Orchestrator.Api keys revoke KEY_ID
        """;

    public static async Task<int> RunAsync(IServiceProvider services, IReadOnlyList<string> args)
    {
        if (args.Count == 0)
            return Fail(Usage);
        await services.MigrateDatabaseAsync<ApiDbContext>();
        await using var scope = services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<ApiKeyStore>();
        try
        {
            switch (args[0])
            {
                case "create":
                    return await CreateAsync(store, args.Skip(1).ToList());
                case "list":
                    foreach (var key in await store.ListAsync(CancellationToken.None))
                        Console.Error.WriteLine(
                            $"{key.Id}\t{key.Name}\t{key.Role}\t{key.UserId?.ToString(CultureInfo.InvariantCulture) ?? "-"}\torch_{key.Prefix}_…\t{key.CreatedAt:u}\t{(key.RevokedAt is { } at ? $"revoked {at:u}" : "active")}");
                    return 0;
                case "revoke" when args.Count == 2 && long.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id):
                    if (await store.RevokeAsync(id, CancellationToken.None) is null)
                        return Fail($"There is no key {id}.");
                    Console.Error.WriteLine($"Key {id} revoked.");
                    return 0;
                default:
                    return Fail(Usage);
            }
        }
        catch (UploadRejectedException ex)
        {
            return Fail($"{ex.Title}: {ex.Message}");
        }
    }

    static async Task<int> CreateAsync(ApiKeyStore store, List<string> options)
    {
        string? role = null, name = null;
        int? user = null;
        for (var i = 0; i < options.Count; i++)
        {
            var value = i + 1 < options.Count ? options[i + 1] : null;
            switch (options[i])
            {
                case "--role" when value is not null:
                    role = value;
                    break;
                case "--name" when value is not null:
                    name = value;
                    break;
                case "--user" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed):
                    user = parsed;
                    break;
                default:
                    return Fail(Usage);
            }

            i++;
        }

        var (record, key) = await store.CreateAsync(name, role, user, CancellationToken.None);
        Console.Out.WriteLine(key);
        Console.Error.WriteLine($"Created key {record.Id} for {record.Name} ({record.Role}). It is shown only now; send it as 'Authorization: Bearer <key>'.");
        return 0;
    }

    static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 2;
    }
}
