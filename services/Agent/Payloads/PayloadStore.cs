using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Orchestrator.Agent.Payloads;

/// <summary>
/// The payloads' state, one JSON file each, replaced atomically (write aside, flush, rename) at every change, so the
/// agent killed at any moment restarts with every payload as it last was and takes its running processes back.
/// </summary>
public sealed class PayloadStore
{
    static readonly JsonSerializerOptions Json = new() { WriteIndented = false };
    readonly Lock _lock = new();
    readonly Dictionary<uint, PayloadRecord> _payloads = new();
    readonly string _statePath;
    uint _lastId;

    public PayloadStore(IOptions<AgentOptions> options, ILogger<PayloadStore> logger)
    {
        _statePath = options.Value.StatePath;
        Directory.CreateDirectory(_statePath);
        Directory.CreateDirectory(options.Value.PayloadsPath);
        foreach (var file in Directory.EnumerateFiles(_statePath, "*.json"))
        {
            try
            {
                var payload = JsonSerializer.Deserialize<PayloadRecord>(File.ReadAllText(file), Json)
                    ?? throw new JsonException("empty state file");
                _payloads[payload.Id] = payload;
                _lastId = Math.Max(_lastId, payload.Id);
            }
            catch (JsonException ex)
            {
                // Only a disk fault can leave a file half written (writes are renamed into place); say so, keep going.
                logger.LogError("Payload state file {File} is unreadable and was skipped: {Reason}", file, ex.Message);
            }
        }

        logger.LogInformation("Loaded {Count} payloads from {Path}", _payloads.Count, _statePath);
    }

    /// <summary>Takes the next payload id; ids are never reused, also across restarts.</summary>
    public uint NextId()
    {
        lock (_lock)
            return ++_lastId;
    }

    public void Add(PayloadRecord payload)
    {
        lock (_lock)
        {
            Write(payload);
            _payloads[payload.Id] = payload;
        }
    }

    /// <summary>A copy of the payload, or null when unknown.</summary>
    public PayloadRecord? Find(uint id)
    {
        lock (_lock)
            return _payloads.TryGetValue(id, out var payload) ? Copy(payload) : null;
    }

    public IReadOnlyList<PayloadRecord> All()
    {
        lock (_lock)
            return _payloads.Values.Select(Copy).ToList();
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the payload and saves it, unless the change returns false. Changes of one
    /// store never interleave, so a kill and the runner's own update cannot undo each other.
    /// </summary>
    public PayloadRecord? Update(uint id, Func<PayloadRecord, bool> change)
    {
        lock (_lock)
        {
            if (!_payloads.TryGetValue(id, out var current))
                return null;
            var changed = Copy(current);
            if (!change(changed))
                return Copy(current);
            Write(changed);
            _payloads[id] = changed;
            return Copy(changed);
        }
    }

    void Write(PayloadRecord payload)
    {
        var path = Path.Combine(_statePath, $"{payload.Id}.json");
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, payload, Json);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    static PayloadRecord Copy(PayloadRecord payload) =>
        JsonSerializer.Deserialize<PayloadRecord>(JsonSerializer.SerializeToUtf8Bytes(payload, Json), Json)!;
}
