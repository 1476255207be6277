namespace Runtype.Domain.Common;

/// <summary>
/// The one way an id is read from a client (contract §1): a UUID in its 8-4-4-4-12 hex form, in either case, and
/// nothing else. Braces, parentheses, a missing dash or surrounding whitespace, which <see cref="Guid.TryParse(string?, out Guid)"/>
/// would all accept, name nothing. Every route and every id a query or header carries is read here.
/// </summary>
public static class Uuid
{
    /// <summary>The length of the 8-4-4-4-12 form.</summary>
    public const int TextLength = 36;

    public static bool TryParse(string? text, out Guid id)
    {
        // "D" alone would still skip surrounding whitespace; at exactly 36 characters there is no room for any.
        if (text is { Length: TextLength })
        {
            return Guid.TryParseExact(text, "D", out id);
        }

        id = Guid.Empty;
        return false;
    }

    public static bool IsValid(string? text) => TryParse(text, out _);
}
