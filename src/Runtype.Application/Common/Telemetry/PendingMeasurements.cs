using Runtype.Domain.Sessions;

namespace Runtype.Application.Common.Telemetry;

/// <summary>
/// The measurements of one command's writes (per request scope), recorded in <see cref="RuntypeMetrics"/> only once its
/// transaction has committed: <see cref="TransactionBehavior{TMessage, TResponse}"/> discards them at the start of each
/// attempt (a command retried after a conflict is counted once) and records them after the commit (a rolled-back one
/// not at all).
/// </summary>
public sealed class PendingMeasurements(RuntypeMetrics metrics)
{
    private readonly List<Action<RuntypeMetrics>> _pending = [];

    /// <summary>Records <paramref name="measurement"/> once the command's transaction has committed.</summary>
    public void OnCommit(Action<RuntypeMetrics> measurement) => _pending.Add(measurement);

    /// <summary>A session saved by the command: created or not, with the events the save appended to it.</summary>
    public void SessionSaved(bool created, IReadOnlyList<SessionEvent> appended) => OnCommit(m => m.SessionSaved(created, appended));

    internal void Discard() => _pending.Clear();

    internal void Commit()
    {
        foreach (var measurement in _pending)
        {
            measurement(metrics);
        }

        _pending.Clear();
    }
}
