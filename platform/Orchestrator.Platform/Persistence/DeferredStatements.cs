using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Orchestrator.Platform.Persistence;

/// <summary>
/// Statements a unit of work may put off until just before it saves: deletes by id whose outcome nobody reads, and
/// notifications. When one transaction handles a batch of messages, each kind of statement then runs once for the whole
/// batch (one <c>DELETE … = ANY(ids)</c> instead of one per message), and all of them go to PostgreSQL in one round trip.
/// </summary>
public sealed class DeferredStatements
{
    readonly Dictionary<string, HashSet<Guid>> _idStatements = new(StringComparer.Ordinal);
    readonly List<string> _statements = [];

    public bool IsEmpty => _idStatements.Count == 0 && _statements.Count == 0;

    /// <summary>
    /// Adds <paramref name="id"/> to the statement <paramref name="sql"/>, which takes every id gathered for it as its one
    /// parameter, <c>@ids</c> (a <c>uuid[]</c>).
    /// </summary>
    public void AddId(string sql, Guid id)
    {
        if (!_idStatements.TryGetValue(sql, out var ids))
            _idStatements[sql] = ids = [];
        ids.Add(id);
    }

    /// <summary>Runs <paramref name="sql"/> once, however many messages of the unit of work asked for it.</summary>
    public void Once(string sql)
    {
        if (!_statements.Contains(sql, StringComparer.Ordinal))
            _statements.Add(sql);
    }

    /// <summary>Runs what was gathered inside the context's current transaction, then forgets it.</summary>
    public async Task FlushAsync(DbContext db, CancellationToken cancellationToken)
    {
        if (IsEmpty)
            return;
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("Deferred statements must run inside the unit of work's transaction.");

        await db.Database.OpenConnectionAsync(cancellationToken);
        await using var batch = db.CreateBatch();
        foreach (var (sql, ids) in _idStatements)
        {
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.AddWithValue("ids", ids.ToArray());
            batch.BatchCommands.Add(command);
        }

        foreach (var sql in _statements)
            batch.BatchCommands.Add(new NpgsqlBatchCommand(sql));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        Clear();
    }

    public void Clear()
    {
        _idStatements.Clear();
        _statements.Clear();
    }
}
