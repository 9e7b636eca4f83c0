/**
 * Passwords too common to be chosen (PasswordPolicy): the usual international ones and those typical of Chinese
 * users (number runs, keyboard walks, pinyin, 520/1314 "I love you (forever)"), compared case-insensitively.
 * Entries shorter than the policy's minimum length are refused by that rule already; they are kept so the list
 * stays right if the minimum changes. One entry per word; add to it freely (346 entries).
 */
const LIST = `
123456 123456789 12345678 12345 1234567 1234567890 1234 111111 000000 123123 666666 888888 88888888 66666666
11111111 00000000 654321 987654321 123321 112233 121212 123qwe qwe123 qwerty qwertyuiop qwerty123 qwerty1234
1q2w3e 1q2w3e4r 1q2w3e4r5t 1qaz2wsx 1qaz2wsx3edc zaq12wsx zxcvbnm zxcvbn asdfgh asdfghjkl asdf1234 qazwsx
qazwsxedc password password1 password123 passw0rd p@ssw0rd p@ssword admin admin123 admin1234 admin888
administrator root root123 toor letmein welcome welcome1 welcome123 abc123 abc12345 abcd1234 abcdef abc123456
a123456 a12345678 a123456789 a1234567 aa123456 aa12345678 a111111 a123123 a5201314 abc5201314 qq123456
qq5201314 q123456 q1w2e3r4 q1w2e3r4t5 w123456 z123456 123456a 123456aa 123456abc 123456q 12345a 123abc 5201314
520520 521521 1314520 13145200 5211314 52013145201314 woaini woaini1314 woaini520 woaini123 woainimama
woainibaobao woaiwojia iloveyou iloveyou1 iloveu loveyou love123 lovelove 7758521 7758258 147258 147258369
159357 159753 258369 369258 741852 741852963 789456 789456123 963852741 147852369 321321 456456 456789 789789
100200 110110 110120 119119 120120 12344321 11223344 1122334455 123654 123654789 123987 135790 13579 246810
2468 100000 999999 999999999 555555 777777 7777777 222222 333333 444444 11111 1111111 111111111 1111111111
222222222 123123123 123456123 12341234 12121212 123456654321 zhang123 zhangwei wangwei liwei wang123 li123456
liu123456 chen123456 huang123 zhou123 wu123456 xiaoming guangzhou gz123456 gd123456 shenzhen beijing shanghai
china123 china zhongguo zhongguo123 aini1314 wangyang baobao baobei baobei520 baobei1314 laopo520 laogong520
tiantian xiaoxiao meimei dongdong huanhuan haha123 hahaha hao123 hello hello123 hello1234 helloworld test
test123 test1234 test123456 testtest guest guest123 user user123 demo demo123 sample changeme changeme123
default secret secret123 master master123 super superman batman football baseball basketball soccer monkey
dragon dragon123 sunshine princess shadow michael jennifer jordan jordan23 hunter hunter2 trustno1 starwars
whatever computer internet google google123 samsung apple apple123 iphone huawei xiaomi wechat weixin qq123
qwe123456 qwe123qwe qweasd qweasdzxc qweasd123 asd123 asd123456 zxc123 zxc123456 zxcvbnm123 1qazxsw2 1234qwer
qwer1234 qwerasdf asdfqwer 1234abcd abcd123456 abcde12345 12345abcde 123456789a 1234567890a a1b2c3 a1b2c3d4
aa123123 aaa111 aaaaaa aaaaaaaa abcabc abcdefg abcdefgh 0123456789 01234567 012345 987654 9876543210 87654321
76543210 135246 142536 1a2b3c 3edc4rfv 2wsx3edc 4rfv5tgb qwerty12345 password1234 password12 passw0rd123
p@ssw0rd123 p@55w0rd pa55word pass1234 pass123 pass12345 mima123 mima123456 wodemima woshishui woshinidie
nicai 00000 000000000 0000000000 123456789012 1234567899 12345678910 woaiwolaopo woailaopo asd12345 qq111111
qazqaz 123qweasd 123qweasdzxc 1qaz@wsx 1qaz!qaz admin@123 admin123456 root@123 root1234 test@123 welcome@123
password@123 pass@word1 p@ssw0rd1 hotline hotline123 kapok kapok123 shegong shegong123 shegongzhan minzheng
minzheng123
`;

export const COMMON_PASSWORDS: ReadonlySet<string> = new Set(LIST.split(/\s+/).filter(Boolean));
