namespace Runtype.Domain.Common;

/// <summary>
/// A value that may be absent. Distinguishes "the key was not sent" (<see cref="HasValue"/> is false)
/// from "the key was sent with null" (<see cref="HasValue"/> is true, <see cref="Value"/> is null),
/// which is what PATCH semantics need.
/// </summary>
public readonly record struct Optional<T>
{
    private readonly T _value;

    private Optional(T value)
    {
        _value = value;
        HasValue = true;
    }

    public bool HasValue { get; }

    public T Value => HasValue ? _value : throw new InvalidOperationException("The optional value is absent.");

    public static Optional<T> Absent => default;

    public static Optional<T> Of(T value) => new(value);

    public static implicit operator Optional<T>(T value) => new(value);

    public T GetValueOrDefault(T fallback) => HasValue ? _value : fallback;

    public override string ToString() => HasValue ? $"{_value}" : "(absent)";
}
