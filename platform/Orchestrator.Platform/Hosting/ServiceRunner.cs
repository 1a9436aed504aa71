using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Orchestrator.Platform.Hosting;

public static class ServiceRunner
{
    /// <summary>
    /// Runs the service; a configuration mistake ends it with the validator's message and exit code 2, not a
    /// stack trace.
    /// </summary>
    public static async Task<int> RunServiceAsync(this WebApplication app, Func<IServiceProvider, Task>? beforeStart = null)
    {
        try
        {
            if (beforeStart is not null)
                await beforeStart(app.Services);
            await app.RunAsync();
            return 0;
        }
        catch (OptionsValidationException ex)
        {
            await Console.Error.WriteLineAsync("Configuration error:");
            foreach (var failure in ex.Failures)
                await Console.Error.WriteLineAsync($"  - {failure}");
            return 2;
        }
        catch (InvalidOperationException ex) when (ex.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal))
        {
            // A value of the wrong type (Orchestrator__Retention=soon) is a configuration mistake, not a crash.
            await Console.Error.WriteLineAsync("Configuration error:");
            await Console.Error.WriteLineAsync($"  - {ex.Message} {ex.InnerException?.Message}");
            return 2;
        }
    }

    /// <summary>Validates options eagerly, before migrations touch the database with a broken configuration.</summary>
    public static void ValidateOptions<TOptions>(this IServiceProvider services)
        where TOptions : class =>
        _ = services.GetRequiredService<IOptions<TOptions>>().Value;
}
