using System.Globalization;
using System.Text;

namespace Orchestrator.Bench;

/// <summary>A plain-text table with right-aligned numbers, readable in a terminal and pasteable into Markdown.</summary>
public sealed class Table(params string[] headers)
{
    readonly List<string[]> _rows = [];

    public void Add(params string[] cells) => _rows.Add(cells);

    public static string Ms(double value) =>
        double.IsNaN(value) ? "-" : value.ToString(value < 10 ? "F2" : "F1", CultureInfo.InvariantCulture);

    public static string Num(double value, string format = "F1") =>
        double.IsNaN(value) || double.IsInfinity(value) ? "-" : value.ToString(format, CultureInfo.InvariantCulture);

    public override string ToString()
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length))).ToArray();
        var text = new StringBuilder();
        Line(text, headers, widths, left: true);
        text.Append('|').AppendJoin('|', widths.Select((w, i) => i == 0 ? new string('-', w + 2) : new string('-', w + 1) + ":")).Append("|\n");
        foreach (var row in _rows)
            Line(text, row, widths, left: false);
        return text.ToString();
    }

    static void Line(StringBuilder text, string[] cells, int[] widths, bool left)
    {
        text.Append('|');
        for (var i = 0; i < cells.Length; i++)
        {
            var cell = i == 0 || left ? cells[i].PadRight(widths[i]) : cells[i].PadLeft(widths[i]);
            text.Append(' ').Append(cell).Append(" |");
        }

        text.Append('\n');
    }
}
