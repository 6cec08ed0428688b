/*
 * A DSDT that Redox 0.3.5's parser rejects: a Device body may hold only namespace modifiers
 * and named objects there, so the If (module-level code, allowed by ACPI 6) inside DEV0 is an
 * invalid opcode and the whole table stops with "Invalid opcode".
 * Written for this project; compile: iasl dsdt-rejected.asl
 */
DefinitionBlock ("", "DSDT", 2, "REDOXP", "PORTREJ ", 0x00000001)
{
    Name (BFOR, One)

    Device (DEV0)
    {
        Name (_ADR, Zero)
        If (BFOR)
        {
            Name (INSD, 0x02)
        }
    }

    Name (AFTR, One)
}
