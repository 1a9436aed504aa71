namespace Orchestrator.Api.Jobs;

/// <summary>Section <c>Api</c>.</summary>
public sealed class ApiOptions
{
    /// <summary>Largest upload accepted, all files together, in bytes (default 400 MiB, as the WeNMR orchestrator).</summary>
    public long MaxUploadBytes { get; set; } = 400L * 1024 * 1024;

    /// <summary>Largest single file of an upload, in bytes; null: only <see cref="MaxUploadBytes"/> applies.</summary>
    public long? MaxFileBytes { get; set; }

    /// <summary>Most files in one upload (default 1000).</summary>
    public int MaxFiles { get; set; } = 1000;

    /// <summary>Most form fields (parts without a file name) in one upload (default 32).</summary>
    public int MaxFields { get; set; } = 32;

    /// <summary>Longest form field value, in characters (default 1024).</summary>
    public int MaxFieldLength { get; set; } = 1024;

    /// <summary>Largest JSON body of <c>POST /v1/jobs</c> (default 64 MiB): bigger inputs belong at a URL.</summary>
    public long MaxJsonRequestBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>What a <c>429</c> for a full per-user queue tells the client to wait (Retry-After, default 30 s).</summary>
    public TimeSpan QueueFullRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long fetching one of a job's files by URL may take (default 2 minutes).</summary>
    public TimeSpan DownloadTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The directory of the MassTransit message data repository <c>SubmitJob</c> senders put large inputs in; it must
    /// be shared with them. Default: <c>.message-data</c> under the jobs root.
    /// </summary>
    public string? MessageDataDirectory { get; set; }

    /// <summary>How long <c>GET /download_partial/{id}</c> waits for the executor to copy a remote job's files (default 30 s).</summary>
    public TimeSpan PartialResultsTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>An executor's status older than this counts as gone in <c>GET /destinations</c> (default 1 minute).</summary>
    public TimeSpan DestinationStatusStaleAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long an instance goes by what it read about API keys (default 1 s): a key revoked by another instance or
    /// the <c>keys</c> command is refused here, and the first key created elsewhere ends anonymous loopback access
    /// here, within this time. Zero reads the keys on every request.
    /// </summary>
    public TimeSpan KeyCacheDuration { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Largest page of <c>GET /v1/jobs</c>.</summary>
    public int MaxPageSize { get; set; } = 200;
}
