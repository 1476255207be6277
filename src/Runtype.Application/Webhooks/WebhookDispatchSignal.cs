namespace Runtype.Application.Webhooks;

/// <summary>
/// Wakes this process's dispatcher: after a command that made deliveries due commits, its first attempt starts at once
/// instead of at the next poll. Deliveries committed by other processes are found by polling.
/// </summary>
public sealed class WebhookDispatchSignal
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _next = NewSource();

    /// <summary>Completes at the next <see cref="Notify"/> after it was read: take it before looking for work, wait on it after.</summary>
    public Task Next
    {
        get
        {
            lock (_gate)
            {
                return _next.Task;
            }
        }
    }

    public void Notify()
    {
        TaskCompletionSource current;
        lock (_gate)
        {
            current = _next;
            _next = NewSource();
        }

        current.TrySetResult();
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>Per command: whether it made a delivery due, so the dispatcher is woken once it has committed.</summary>
public sealed class WebhookDispatchRequest
{
    public bool Requested { get; private set; }

    public void Request() => Requested = true;
}
