"""Tables of small texts and every verdict ``check`` gives them: kind, surface, key, span,
whether supported and (when not) why. They pin how claims are read, keyed and compared, so a
change in extraction or comparison shows up as a named difference (found by mutation testing).
"""
from __future__ import annotations

import pytest

from policy_kb import fact_check as fc
from policy_kb.non_claims import NON_CLAIMS

# name: (text, verdicts against the bundled policy)
CASES = {
    'spaced_phone': ('お電話は 0479 63 1000 または (0479)63-1000、0120 123 456 へ。', [
        ('channel', '電話', 'channel:電話', 1, 3, True, ''),
        ('phone', '0479 63 1000', 'tel:0479631000', 5, 17, True, ''),
        ('phone', '(0479)63-1000', 'tel:0479631000', 22, 35, True, ''),
        ('phone', '0120 123 456', 'tel:0120123456', 36, 48, False, 'not in the policy'),
    ]),
    'short_spaced_digits': ('番号は 12 345 678 です。', [
        ('number', '12', 'num:12', 4, 6, False, 'not in the policy'),
        ('number', '345', 'num:345', 7, 10, False, 'not in the policy'),
        ('number', '678', 'num:678', 11, 14, False, 'not in the policy'),
    ]),
    'email_case': ('Info@Example.JP へ送るか、www.Sobu-Gas.co.jp/Privacy/ を見てください。', [
        ('email', 'Info@Example.JP', 'email:info@example.jp', 0, 15, False, 'not in the policy'),
        ('url', 'www.Sobu-Gas.co.jp/Privacy/', 'url:sobu-gas.co.jp/privacy', 21, 48, False, 'not in the policy'),
    ]),
    'short_legal_form': ('東京電力(株)と(株)総武商会、(有)へ。', [
        ('company', '東京電力(株)', 'company:東京電力(株)|short', 0, 7, False, 'not in the policy'),
        ('company', '(株)総武商会', 'company:(株)総武商会|short', 8, 15, False, 'not in the policy'),
    ]),
    # (株) says the name is a company's: the policy must name that company, not only the word.
    'short_legal_form_of_policy_words': ('総武産業(株)、(株)総武ガス、電話(株)、当社総武ガス(株)、(有)総武産業。', [
        ('company', '総武産業(株)', 'company:総武産業(株)|short', 0, 7, True, ''),
        ('company', '(株)総武ガス', 'company:(株)総武ガス|short', 8, 15, False, 'not in the policy'),
        ('company', '電話(株)', 'company:電話(株)|short', 16, 21, False, 'not in the policy'),
        ('company', '当社総武ガス(株)', 'company:当社総武ガス(株)|short', 22, 31, True, ''),
        ('company', '(有)総武産業', 'company:(有)総武産業|short', 32, 39, False, 'not in the policy'),
    ]),
    # Kanji numerals that read as no one number (二三十: twenty or thirty) are numbers still.
    # a word after a company written with (株) is still read; a channel word ending that
    # company's name is part of it, not a channel
    'short_legal_form_then_name': ('東京電力(株)の総務部へ、(株)郵送で。', [
        ('company', '東京電力(株)', 'company:東京電力(株)|short', 0, 7, False, 'not in the policy'),
        ('department', '総務部', 'department:総務部|部', 8, 11, True, ''),
        ('company', '(株)郵送', 'company:(株)郵送|short', 13, 18, False, 'not in the policy'),
    ]),
    'kanji_numeral_ranges': ('二三十日以内、十二三 件、二三十。', [
        ('number', '二三十日', 'num:二三十日', 0, 4, False, 'not in the policy'),
        ('deadline', '以内', 'deadline:以内', 4, 6, False, 'the policy names no such day or period'),
        ('number', '十二三 件', 'num:十二三件', 7, 12, False, 'not in the policy'),
    ]),
    'legal_form_first': ('株式会社総武ガスと総武ガス株式会社本社、当社総武ガス株式会社。', [
        ('company', '株式会社総武ガス', 'company:株式会社総武ガス|legal', 0, 8, False, 'not in the policy'),
        ('company', '総武ガス株式会社', 'company:総武ガス株式会社|legal', 9, 17, True, ''),
        ('company', '当社総武ガス株式会社', 'company:当社総武ガス株式会社|legal', 20, 30, True, ''),
    ]),
    'brands': ('東電、東京電力、総武産業、電力、東ガス、ガス。', [
        ('company', '東電', 'company:東電|brand', 0, 2, False, 'not in the policy'),
        ('company', '東京電力', 'company:東京電力|brand', 3, 7, False, 'not in the policy'),
        ('company', '総武産業', 'company:総武産業|brand', 8, 12, True, ''),
        ('company', '東ガス', 'company:東ガス|brand', 16, 19, False, 'not in the policy'),
        ('relation', '総武産業＋電力', 'rel:総武産業+電力', 8, 12, False, 'not stated together in the policy'),
        ('relation', '総武産業＋ガス', 'rel:総武産業+ガス', 8, 12, True, ''),
    ]),
    'channels': ('携帯電話、Eメール、しばらくの間チャット、Webサイト、電話窓口、総務部窓口、LINE。', [
        ('channel', '携帯電話', 'channel:携帯電話', 0, 4, False, 'not in the policy'),
        ('channel', 'Eメール', 'channel:Eメール', 5, 9, False, 'not in the policy'),
        ('channel', 'チャット', 'channel:チャット', 16, 20, False, 'not in the policy'),
        ('channel', 'Webサイト', 'channel:Webサイト', 21, 27, False, 'not in the policy'),
        ('department', '電話窓口', 'department:電話窓口|窓口', 28, 32, False, 'not in the policy'),
        ('department', '総務部窓口', 'department:総務部窓口|窓口', 33, 38, False, 'not in the policy'),
        ('channel', 'LINE', 'channel:LINE', 39, 43, False, 'not in the policy'),
    ]),
    'channel_at_start': ('電話でどうぞ。', [
        ('channel', '電話', 'channel:電話', 0, 2, True, ''),
    ]),
    'claims_in_entities': ('手数料、手数料課、予約センター、マイナンバーカード、ABC株式会社、LINEとSNS、FAXやOK。', [
        ('claim', '手数料', 'claim:手数料', 0, 3, True, ''),
        ('department', '手数料課', 'department:手数料課|課', 4, 8, False, 'not in the policy'),
        ('body', '予約センター', 'body:予約センター|センター', 9, 15, False, 'not in the policy'),
        ('document', 'マイナンバーカード', 'document:マイナンバーカード|カード', 16, 25, False, 'not in the policy'),
        ('company', 'ABC株式会社', 'company:ABC株式会社|legal', 26, 33, False, 'not in the policy'),
        ('channel', 'LINE', 'channel:LINE', 34, 38, False, 'not in the policy'),
        ('channel', 'SNS', 'channel:SNS', 39, 42, False, 'not in the policy'),
        ('channel', 'FAX', 'channel:FAX', 43, 46, False, 'not in the policy'),
        ('latin', 'OK', 'latin:OK', 47, 49, False, 'not in the policy'),
    ]),
    'days_deadlines': ('土曜日、平日、年末年始、祝日(月)、数日中、以内、即日、期限。', [
        ('day', '土曜日', 'day:土曜日', 0, 3, False, 'the policy names no such day or period'),
        ('day', '平日', 'day:平日', 4, 6, True, ''),
        ('day', '年末年始', 'day:年末年始', 7, 11, False, 'the policy names no such day or period'),
        ('day', '祝日', 'day:祝日', 12, 14, True, ''),
        ('day', '(月)', 'day:(月)', 14, 17, False, 'the policy names no such day or period'),
        ('deadline', '数日中', 'deadline:数日中', 18, 21, False, 'the policy names no such day or period'),
        ('deadline', '以内', 'deadline:以内', 22, 24, False, 'the policy names no such day or period'),
        ('deadline', '即日', 'deadline:即日', 25, 27, False, 'the policy names no such day or period'),
        ('deadline', '期限', 'deadline:期限', 28, 30, False, 'the policy names no such day or period'),
    ]),
    'negations': ('手数料は、  かかりません。 できません。ください、できない場合があります。不要。利用停止なし。', [
        ('claim', '手数料', 'claim:手数料', 0, 3, True, ''),
        ('negation', 'かかりません', 'neg:かかり|', 6, 12, False, 'the policy states no such negation'),
        ('negation', 'できません', 'neg:でき|', 14, 19, False, 'the policy states no such negation'),
        ('negation', 'できない', 'neg:でき||may', 25, 29, False, 'the policy states no such negation'),
        ('negation', '不要', 'neg:不要|不要', 37, 39, False, 'the policy states no such negation'),
        ('negation', '利用停止なし', 'neg:利用停止|利用停止', 40, 46, False, 'the policy states no such negation'),
    ]),
    'hira_negation': ('あいうえおかきくけこません。', [
        ('negation', 'あいうえおかきくけこません', 'neg:きくけこ|', 0, 13, False, 'the policy states no such negation'),
    ]),
    'address': ('旭市二の 5941番地、銚子市 1番地。', [
        ('place', '旭市', 'place:旭市|市', 0, 2, True, ''),
        ('number', '5941番地', 'num:5941番地', 5, 11, True, ''),
        ('place', '銚子市', 'place:銚子市|市', 12, 15, False, 'not in the policy'),
        ('number', '1番地', 'num:1番地', 16, 19, False, 'not in the policy'),
    ]),
    'numbers': ('1,000円、123456、12-34、第三条、二〇二四年、一時停止、十分に、5.5%、第 3条、三日。', [
        ('number', '1,000円', 'num:1000円', 0, 6, False, 'not in the policy'),
        ('phone', '123456', 'tel:123456', 7, 13, False, 'not in the policy'),
        ('phone', '12-34', 'tel:1234', 14, 19, False, 'not in the policy'),
        ('number', '第三条', 'num:第3条', 20, 23, False, 'not in the policy'),
        ('number', '二〇二四年', 'num:2024年', 24, 29, False, 'not in the policy'),
        ('number', '5.5%', 'num:5.5%', 39, 43, False, 'not in the policy'),
        ('number', '第 3条', 'num:第3条', 44, 48, False, 'not in the policy'),
        ('number', '三日', 'num:3日', 49, 51, False, 'not in the policy'),
    ]),
    'kanji_runs': ('〇四七九、一万二千円、第一、一つ。', [
        ('number', '〇四七九', 'num:0479', 0, 4, False, 'not in the policy'),
        ('number', '一万二千円', 'num:12000円', 5, 10, False, 'not in the policy'),
        ('number', '第一', 'num:第1', 11, 13, False, 'not in the policy'),
        ('number', '一つ', 'num:1つ', 14, 16, False, 'not in the policy'),
    ]),
    'names': ('方法、個人情報保護法、市外局番、総務部宛、旭市二、証明書類、委任状、実印、法律。', [
        ('law', '個人情報保護法', 'law:個人情報保護法|法', 3, 10, False, 'not in the policy'),
        ('department', '総務部', 'department:総務部|部', 16, 19, True, ''),
        ('place', '旭市', 'place:旭市|市', 21, 23, True, ''),
        ('document', '証明書', 'document:証明書|証明書', 25, 28, True, ''),
        ('document', '委任状', 'document:委任状|委任状', 30, 33, True, ''),
        ('document', '実印', 'document:実印|印', 34, 36, False, 'not in the policy'),
        ('law', '法律', 'law:法律|法律', 37, 39, True, ''),
    ]),
    'opening': ('土曜日も受け付けます。12月31日、1月1日、1/2も受け付けます。12/30は営業します。日曜は休みですが受け付けます。', [
        ('day', '土曜日', 'day:土曜日', 0, 3, False, 'the policy names no such day or period'),
        ('date', '12月31日', 'date:12/31', 11, 17, False, 'not in the policy'),
        ('date', '1月1日', 'date:1/1', 18, 22, False, 'not in the policy'),
        ('date', '1/2', 'date:1/2', 23, 26, False, 'not in the policy'),
        ('date', '12/30', 'date:12/30', 34, 39, True, ''),
        ('day', '日曜', 'day:日曜', 46, 48, False, 'the policy names no such day or period'),
        ('opening', '土曜日', 'open:day:土曜日', 0, 3, False, 'the desk is closed then (土日祝日及び12/30～1/4を除く)'),
        ('opening', '12月31日', 'open:date:12/31', 11, 17, False, 'the desk is closed then (土日祝日及び12/30～1/4を除く)'),
        ('opening', '1月1日', 'open:date:1/1', 18, 22, False, 'the desk is closed then (土日祝日及び12/30～1/4を除く)'),
        ('opening', '1/2', 'open:date:1/2', 23, 26, False, 'the desk is closed then (土日祝日及び12/30～1/4を除く)'),
        ('opening', '12/30', 'open:date:12/30', 34, 39, False, 'the desk is closed then (土日祝日及び12/30～1/4を除く)'),
    ]),
    'opening_ok': ('平日に受け付けます。12月29日も受け付けます。', [
        ('day', '平日', 'day:平日', 0, 2, True, ''),
        ('date', '12月29日', 'date:12/29', 10, 16, False, 'not in the policy'),
    ]),
    'filing': ('窓口でお申込みください。ホームページからお申し出ください。メールで請求できます。電話の受付は承ります。', [
        ('department', '窓口', 'department:窓口|窓口', 0, 2, True, ''),
        ('channel', 'ホームページ', 'channel:ホームページ', 12, 18, True, ''),
        ('channel', 'メール', 'channel:メール', 29, 32, False, 'not in the policy'),
        ('channel', '電話', 'channel:電話', 40, 42, True, ''),
        ('relation', 'ホームページ＋申し出', 'file:ホームページ', 12, 18, False, 'the policy names no such way to file a request'),
        ('relation', '電話＋承', 'file:電話', 40, 42, True, ''),
    ]),
    'filing_none': ('ホームページをご覧ください。', [
        ('channel', 'ホームページ', 'channel:ホームページ', 0, 6, True, ''),
    ]),
    'relations': ('管理の責任者は総武産業株式会社です。総武ガス株式会社がガスの管理を委託します。東北電力株式会社と電力の共同利用。', [
        ('company', '総武産業株式会社', 'company:総武産業株式会社|legal', 7, 15, True, ''),
        ('company', '総武ガス株式会社', 'company:総武ガス株式会社|legal', 18, 26, True, ''),
        ('company', '東北電力株式会社', 'company:東北電力株式会社|legal', 39, 47, True, ''),
        ('relation', '総武産業株式会社＋管理', 'rel:総武産業株式会社+管理', 7, 15, False, 'not stated together in the policy'),
        ('relation', '総武産業株式会社＋責任', 'rel:総武産業株式会社+責任', 7, 15, False, 'not stated together in the policy'),
        ('relation', '総武ガス株式会社＋管理', 'rel:総武ガス株式会社+管理', 18, 26, True, ''),
        ('relation', '総武ガス株式会社＋委託', 'rel:総武ガス株式会社+委託', 18, 26, False, 'not stated together in the policy'),
        ('relation', '総武ガス株式会社＋ガス', 'rel:総武ガス株式会社+ガス', 18, 26, True, ''),
        ('relation', '東北電力株式会社＋共同', 'rel:東北電力株式会社+共同', 39, 47, False, 'not stated together in the policy'),
        ('relation', '東北電力株式会社＋電力', 'rel:東北電力株式会社+電力', 39, 47, True, ''),
    ]),
    'relations_unknown': ('架空電力株式会社の管理。', [
        ('company', '架空電力株式会社', 'company:架空電力株式会社|legal', 0, 8, False, 'not in the policy'),
    ]),
    'prefix': ('当社総武ガス株式会社、弊社総武、当社ガス。', [
        ('company', '当社総武ガス株式会社', 'company:当社総武ガス株式会社|legal', 0, 10, True, ''),
        ('company', '当社ガス', 'company:当社ガス|brand', 16, 20, True, ''),
    ]),
    'kanji_daiichi_at_start': ('第三の窓口。', [
        ('number', '第三', 'num:第3', 0, 2, True, ''),
        ('department', '窓口', 'department:窓口|窓口', 3, 5, True, ''),
    ]),
    'negation_without_full_stop': ('手数料はかかりません', [
        ('claim', '手数料', 'claim:手数料', 0, 3, True, ''),
        ('negation', '手数料はかかりません', 'neg:手数料|手数料', 0, 10, False, 'the policy states no such negation'),
    ]),
    'short_legal_form_then_channel': ('東京電力(株)へ電話。', [
        ('company', '東京電力(株)', 'company:東京電力(株)|short', 0, 7, False, 'not in the policy'),
        ('channel', '電話', 'channel:電話', 8, 10, True, ''),
    ]),
    'channel_latin_prefix': ('myE-mailで。', [
        ('channel', 'myE-mail', 'channel:myE-mail', 0, 8, False, 'not in the policy'),
    ]),
    # A channel word inside a made-up company name: the name is flagged, not a channel.
    'channel_inside_company_names': ('電話株式会社と株式会社電話、日本電信電話株式会社。', [
        ('company', '電話株式会社', 'company:電話株式会社|legal', 0, 6, False, 'not in the policy'),
        ('company', '株式会社電話', 'company:株式会社電話|legal', 7, 13, False, 'not in the policy'),
        ('company', '日本電信電話株式会社', 'company:日本電信電話株式会社|legal', 14, 24, False, 'not in the policy'),
    ]),
    'claim_word_ending_a_channel': ('電話予約。', [
        ('channel', '電話予約', 'channel:電話予約', 0, 4, False, 'not in the policy'),
    ]),
    'nine_digit_spaced_phone': ('047 963 100 へ。', [
        ('phone', '047 963 100', 'tel:047963100', 0, 11, False, 'not in the policy'),
    ]),
    'addresses': ('旭市二の5941番地、銚子市二の5941番地、旭市:5941番地。', [
        ('place', '旭市', 'place:旭市|市', 0, 2, True, ''),
        ('address', '旭市二の5941番地', 'address:旭市二の5941番地', 0, 10, True, ''),
        ('number', '5941番地', 'num:5941番地', 4, 10, True, ''),
        ('place', '銚子市', 'place:銚子市|市', 11, 14, False, 'not in the policy'),
        ('address', '銚子市二の5941番地', 'address:銚子市二の5941番地', 11, 22, False, "not the policy's address"),
        ('number', '5941番地', 'num:5941番地', 16, 22, True, ''),
        ('place', '旭市', 'place:旭市|市', 23, 25, True, ''),
        ('address', '旭市:5941番地', 'address:旭市:5941番地', 23, 32, False, "not the policy's address"),
        ('number', '5941番地', 'num:5941番地', 26, 32, True, ''),
    ]),
    'filing_word_in_a_document': ('ホームページで請求書をご覧ください。', [
        ('channel', 'ホームページ', 'channel:ホームページ', 0, 6, True, ''),
        ('document', '請求書', 'document:請求書|書', 7, 10, False, 'not in the policy'),
    ]),
    'filing_word_at_a_claim_end': ('ホームページで(月)申込み。', [
        ('channel', 'ホームページ', 'channel:ホームページ', 0, 6, True, ''),
        ('day', '(月)', 'day:(月)', 7, 10, False, 'the policy names no such day or period'),
        ('relation', 'ホームページ＋申込', 'file:ホームページ', 0, 6, False, 'the policy names no such way to file a request'),
    ]),
    'filing_document_first': ('請求書はホームページで。', [
        ('document', '請求書', 'document:請求書|書', 0, 3, False, 'not in the policy'),
        ('channel', 'ホームページ', 'channel:ホームページ', 4, 10, True, ''),
    ]),
    'filing_in_the_second_sentence': ('ご覧ください。ホームページからお申し込みください。', [
        ('channel', 'ホームページ', 'channel:ホームページ', 7, 13, True, ''),
        ('relation', 'ホームページ＋申し込', 'file:ホームページ', 7, 13, False, 'the policy names no such way to file a request'),
    ]),
    'filing_after_an_unsupported_channel': ('メールまたはホームページからお申し込みください。', [
        ('channel', 'メール', 'channel:メール', 0, 3, False, 'not in the policy'),
        ('channel', 'ホームページ', 'channel:ホームページ', 6, 12, True, ''),
        ('relation', 'ホームページ＋申し込', 'file:ホームページ', 6, 12, False, 'the policy names no such way to file a request'),
    ]),
    'opening_in_the_second_sentence': ('ご覧ください。土曜日も受け付けます。', [
        ('day', '土曜日', 'day:土曜日', 7, 10, False, 'the policy names no such day or period'),
        ('opening', '土曜日', 'open:day:土曜日', 7, 10, False, 'the desk is closed then (土日祝日及び12/30～1/4を除く)'),
    ]),
    'opening_on_new_year_days': ('1月3日と1月4日も受け付けます。', [
        ('date', '1月3日', 'date:1/3', 0, 4, False, 'not in the policy'),
        ('date', '1月4日', 'date:1/4', 5, 9, True, ''),
        ('opening', '1月3日', 'open:date:1/3', 0, 4, False, 'the desk is closed then (土日祝日及び12/30～1/4を除く)'),
        ('opening', '1月4日', 'open:date:1/4', 5, 9, False, 'the desk is closed then (土日祝日及び12/30～1/4を除く)'),
    ]),
    'relation_in_the_second_sentence': ('ご覧ください。総武産業株式会社が管理します。', [
        ('company', '総武産業株式会社', 'company:総武産業株式会社|legal', 7, 15, True, ''),
        ('relation', '総武産業株式会社＋管理', 'rel:総武産業株式会社+管理', 7, 15, False, 'not stated together in the policy'),
    ]),
    'role_word_inside_a_channel': ('総武産業株式会社の電話管理。', [
        ('company', '総武産業株式会社', 'company:総武産業株式会社|legal', 0, 8, True, ''),
        ('channel', '電話管理', 'channel:電話管理', 9, 13, False, 'not in the policy'),
    ]),
    'role_word_starting_an_entity': ('総武産業株式会社と管理会社。', [
        ('company', '総武産業株式会社', 'company:総武産業株式会社|legal', 0, 8, True, ''),
        ('company', '管理会社', 'company:管理会社|会社', 9, 13, False, 'not in the policy'),
    ]),
    'role_word_after_an_entity': ('総武産業株式会社管理。', [
        ('company', '総武産業株式会社', 'company:総武産業株式会社|legal', 0, 8, True, ''),
        ('relation', '総武産業株式会社＋管理', 'rel:総武産業株式会社+管理', 0, 8, False, 'not stated together in the policy'),
    ]),
    'urls': ('www.occto.or.jp/priv と www.occto.or.jp/privacy をご覧ください。', [
        ('url', 'www.occto.or.jp/priv', 'url:occto.or.jp/priv', 0, 20, False, 'not in the policy'),
        ('url', 'www.occto.or.jp/privacy', 'url:occto.or.jp/privacy', 23, 46, True, ''),
    ]),
    'prefixed_one_character_name': ('当社印。', [
        ('document', '当社印', 'document:当社印|印', 0, 3, False, 'not in the policy'),
    ]),
    'equivalent': ('メールアドレスをお預かりしています。', [
        ('channel', 'メールアドレス', 'channel:メールアドレス', 0, 7, True, ''),
    ]),
}

# name: (text, source text, verdicts against that source)
SOURCED_CASES = {
    'email_prefix': ('a@b.co へ。', '連絡先 a@b.co.jp まで。', [
        ('email', 'a@b.co', 'email:a@b.co', 0, 6, False, 'not in the policy'),
    ]),
    'address_inside_a_word': ('旭市二の5941番地。', '千葉県旭市二の5941番地。', [
        ('place', '旭市', 'place:旭市|市', 0, 2, False, 'not in the policy'),
        ('address', '旭市二の5941番地', 'address:旭市二の5941番地', 0, 10, True, ''),
        ('number', '5941番地', 'num:5941番地', 4, 10, True, ''),
    ]),
    'legal_name_inside_a_longer_word': ('総武ガス株式会社。', '総武ガス株式会社本社。', [
        ('company', '総武ガス株式会社', 'company:総武ガス株式会社|legal', 0, 8, True, ''),
    ]),
    'name_inside_a_word': ('総務部。', '総総務部。', [
        ('department', '総務部', 'department:総務部|部', 0, 3, False, 'not in the policy'),
    ]),
    # (株) first: the name ends where the policy's does; (株) last: the name may go on (its 総務部)
    'short_legal_form_against_longer_names': ('(株)総武ガスと総武(株)。', '株式会社総武ガスパワーと総武株式会社総務部。', [
        ('company', '(株)総武ガス', 'company:(株)総武ガス|short', 0, 7, False, 'not in the policy'),
        ('company', '総武(株)', 'company:総武(株)|short', 8, 13, True, ''),
    ]),
    'name_at_source_start': ('総務部。', '総務部。', [
        ('department', '総務部', 'department:総務部|部', 0, 3, True, ''),
    ]),
    'day_across_a_line_break': ('平日。', '受付は平\n日です。', [
        ('day', '平日', 'day:平日', 0, 2, True, ''),
    ]),
}


def verdicts(text: str, source: str | None = None) -> list[tuple[str, str, str, int, int, bool, str]]:
    return [(v.claim.kind, v.claim.surface, v.claim.key, v.claim.start, v.claim.end, v.supported,
             "" if v.supported else v.reason) for v in fc.check(text, source)]


@pytest.mark.parametrize("name", list(CASES))
def test_verdicts_of_small_texts(name: str) -> None:
    text, expected = CASES[name]
    assert verdicts(text) == expected


@pytest.mark.parametrize("name", list(SOURCED_CASES))
def test_verdicts_against_a_small_source(name: str) -> None:
    text, source, expected = SOURCED_CASES[name]
    assert verdicts(text, source) == expected


def test_a_supported_claim_has_no_reason() -> None:
    [v] = fc.check("総務部。")
    assert v.supported and v.reason == ""


def test_is_supported_reads_the_bundled_or_the_given_source() -> None:
    [known] = fc.extract_claims("総務部。")
    [unknown] = fc.extract_claims("お客様センター。")
    assert fc.is_supported(known) is True
    assert fc.is_supported(unknown) is False
    assert fc.is_supported(known, "無関係な文です。") is False
    assert fc.is_supported(unknown, "お客様センターへ。") is True


def test_extract_claims_skips_reviewed_phrases_by_default() -> None:
    phrase = NON_CLAIMS[0].phrase
    assert fc.extract_claims(phrase) == []
    assert fc.extract_claims(phrase, reviewed=False)


def test_kanji_numerals_with_man() -> None:
    assert [fc.kanji_to_int(k) for k in ("万", "二万", "十万", "三千五百万")] == [10000, 20000, 100000, 35000000]
