using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Orchestrator.Api.Callbacks;
using Orchestrator.Platform.Configuration;

namespace Orchestrator.Api.Jobs;

/// <summary>Checks a <see cref="JobRequest"/> and brings it to a canonical form whose hash identifies it.</summary>
public static partial class JobRequestRules
{
    public const int MaxFiles = 1000;
    public const int MaxEnvironmentVariables = 128;
    public const int MaxEnvironmentValueLength = 32 * 1024;

    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_-]{0,127}$")]
    private static partial Regex ClientIdPattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,255}$")]
    private static partial Regex VariableNamePattern();

    /// <summary>Whether <paramref name="id"/> has the form of a client-chosen job id.</summary>
    public static bool IsValidClientId(string id) => ClientIdPattern().IsMatch(id);

    /// <summary>The request with paths normalised and defaults filled in; throws 400 problems for what is wrong.</summary>
    public static JobRequest Validate(JobRequest request, OrchestratorOptions orchestrator, CallbackOptions callbacks)
    {
        if (request.ClientId is { } clientId)
        {
            if (!ClientIdPattern().IsMatch(clientId))
                throw Invalid("Invalid id", $"'{clientId}' is not a valid job id: 1 to 128 letters, digits, '_' or '-', starting with a letter or digit.");
            if (clientId.All(char.IsAsciiDigit))
                throw Invalid("Invalid id", $"'{clientId}' is all digits; such ids name job numbers, so a chosen id needs a letter, '_' or '-'.");
        }

        if (string.IsNullOrEmpty(request.Service))
            throw Invalid("Missing service", "'service' is required.");
        if (!orchestrator.Services.ContainsKey(request.Service))
            throw Invalid("Unknown service",
                $"Service '{request.Service}' is not configured; known services: {string.Join(", ", orchestrator.Services.Keys.Order())}.");
        if (request.UserId is not { } userId)
            throw Invalid("Missing user", "'user' (a non-negative integer) is required.");
        if (userId < 0)
            throw Invalid("Invalid user", $"'user' must be a non-negative integer, not {userId}.");
        if (request.TimeoutSeconds is <= 0)
            throw Invalid("Invalid timeout", "'timeoutSeconds' must be a positive number of seconds.");

        var environment = ValidateEnvironment(request.Environment);
        if (environment is not null)
            RequireEnvironmentSupport(request.Service, orchestrator);
        return request with
        {
            Files = ValidateFiles(request.Files),
            Environment = environment,
            Callback = ValidateCallback(request.Callback, request.Service, callbacks),
        };
    }

    /// <summary>
    /// The jobd protocol has no field for variables: a job that needs them would run without them, so it is refused
    /// before it is stored rather than run wrongly.
    /// </summary>
    static void RequireEnvironmentSupport(string service, OrchestratorOptions orchestrator)
    {
        var name = orchestrator.Services[service].Destination;
        if (orchestrator.Destinations.TryGetValue(name, out var destination) && destination.Kind == "jobd")
            throw new UploadRejectedException(StatusCodes.Status422UnprocessableEntity, "Environment not supported by the destination",
                $"Service '{service}' runs on jobd destination '{name}', whose protocol cannot pass environment variables to its agents; leave out 'environment' or set the variables in {JobSubmissionService.Script}.");
    }

    static List<JobInput> ValidateFiles(IReadOnlyList<JobInput>? files)
    {
        if (files is null || files.Count == 0)
            throw Invalid("No files", $"'files' must list the job's files, including {JobSubmissionService.Script}.");
        if (files.Count > MaxFiles)
            throw Invalid("Too many files", $"A job may have at most {MaxFiles} files.");

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<JobInput>(files.Count);
        foreach (var file in files)
        {
            var path = JobPaths.Normalise(file.Path)
                ?? throw Invalid("Invalid file path",
                    $"'{file.Path}' is not a usable path: give a relative path inside the job, '/'-separated, without '.' or '..' segments.");
            if (!seen.Add(path))
                throw Invalid("Duplicate file path", $"'{path}' is given more than once.");
            var sources = (file.Content is null ? 0 : 1) + (file.Url is null ? 0 : 1) + (file.MessageData is null ? 0 : 1);
            if (sources != 1)
                throw Invalid("Invalid file", $"File '{path}' needs exactly one of content or url.");
            if (file.Url is { } url && !(url.IsAbsoluteUri && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)))
                throw Invalid("Invalid file url", $"File '{path}' must be fetched over http or https, not from '{url}'.");
            result.Add(file with { Path = path });
        }

        if (!seen.Contains(JobSubmissionService.Script))
            throw Invalid($"Missing {JobSubmissionService.Script}", $"The job must include a file named {JobSubmissionService.Script} at its top level.");
        return result;
    }

    static SortedDictionary<string, string>? ValidateEnvironment(IReadOnlyDictionary<string, string>? environment)
    {
        if (environment is null || environment.Count == 0)
            return null;
        if (environment.Count > MaxEnvironmentVariables)
            throw Invalid("Too many environment variables", $"A job may set at most {MaxEnvironmentVariables} variables.");
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in environment)
        {
            if (!VariableNamePattern().IsMatch(name))
                throw Invalid("Invalid environment variable", $"'{name}' is not a valid variable name (letters, digits and '_', not starting with a digit).");
            if (value is null || value.Length > MaxEnvironmentValueLength || value.Contains('\0'))
                throw Invalid("Invalid environment variable", $"The value of '{name}' is missing, too long or contains NUL.");
            result[name] = value;
        }

        return result;
    }

    static JobCallback? ValidateCallback(JobCallback? callback, string service, CallbackOptions options)
    {
        if (callback is null)
            return null;
        if (!Uri.TryCreate(callback.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            throw Invalid("Invalid callback", "'callback.url' must be an absolute http or https URL.");
        var events = callback.Events ?? CallbackEvents.All;
        if (events.Count == 0)
            throw Invalid("Invalid callback", $"'callback.events' must name at least one of {string.Join(", ", CallbackEvents.All)}, or be left out for all.");
        foreach (var name in events)
        {
            if (!CallbackEvents.All.Contains(name))
                throw Invalid("Invalid callback", $"'{name}' is not a callback event; choose from {string.Join(", ", CallbackEvents.All)}.");
        }

        // Unsigned callbacks could be forged by anyone who learns the URL, so none are sent without a key.
        if (options.SigningKeyFor(service) is null)
            throw Invalid("Callbacks not enabled", $"No callback signing key is configured for service '{service}' (Api:Callbacks:SigningKey).");
        return new JobCallback(url.AbsoluteUri, CallbackEvents.All.Where(events.Contains).ToList());
    }

    /// <summary>A hash of everything that defines the job, so that a repeat can be told from a different job.</summary>
    public static string Fingerprint(JobRequest request)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("id", request.ClientId);
            json.WriteString("service", request.Service);
            json.WriteNumber("user", request.UserId ?? -1);
            json.WriteStartArray("files");
            foreach (var file in request.Files.OrderBy(f => f.Path, StringComparer.Ordinal))
            {
                json.WriteStartObject();
                json.WriteString("path", file.Path);
                if (file.Content is not null)
                    json.WriteString("sha256", Convert.ToHexStringLower(SHA256.HashData(file.Content)));
                if (file.Url is not null)
                    json.WriteString("url", file.Url.AbsoluteUri);
                if (file.MessageData is not null)
                    json.WriteString("messageData", file.MessageData.ToString());
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartObject("environment");
            foreach (var (name, value) in (request.Environment ?? new Dictionary<string, string>()).OrderBy(e => e.Key, StringComparer.Ordinal))
                json.WriteString(name, value);
            json.WriteEndObject();
            if (request.TimeoutSeconds is { } timeout)
                json.WriteNumber("timeoutSeconds", timeout);
            if (request.Callback is { } callback)
            {
                json.WriteString("callbackUrl", callback.Url);
                json.WriteString("callbackEvents", string.Join(',', callback.Events ?? []));
            }

            json.WriteEndObject();
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.ToArray()));
    }

    static UploadRejectedException Invalid(string title, string detail) =>
        new(StatusCodes.Status400BadRequest, title, detail);
}
